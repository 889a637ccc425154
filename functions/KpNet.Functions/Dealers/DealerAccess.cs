using KpNet.Accounts.Registration;
using KpNet.Gateways;
using KpNet.Gateways.Maintenance;

namespace KpNet.Dealers;

/// <summary>
/// What a dealer may see: a gateway only while the truth row links it, the gateway's claim is live and its owner still
/// has the site. Read on every request, so an unlink or a disposal ends access at the next call, whatever session it holds.
/// </summary>
public sealed class DealerAccess(MaintenanceLinks links, GatewayClaims claims, CustomerSites sites)
{
    public async Task<CustomerSite?> FindAsync(int dealerId, string gatewayId, CancellationToken cancellationToken)
    {
        if (!GatewayId.IsValid(gatewayId) || !await links.IsLinkedAsync(gatewayId, dealerId, cancellationToken))
        {
            return null;
        }

        return await claims.FindAsync(gatewayId, cancellationToken) is { Status: ClaimStatus.Active } claim
            ? await sites.FindAsync(claim.OwnerUserId, gatewayId, cancellationToken)
            : null;
    }

    /// <summary>The dealer's gateways in ID order: the index names them, the truth rows confirm each.</summary>
    public async Task<IReadOnlyList<CustomerSite>> ListAsync(int dealerId, CancellationToken cancellationToken)
    {
        var maintained = new List<CustomerSite>();
        foreach (var gatewayId in (await links.IndexedGatewaysOfAsync(dealerId, cancellationToken)).Order(StringComparer.Ordinal))
        {
            if (await FindAsync(dealerId, gatewayId, cancellationToken) is { } site)
            {
                maintained.Add(site);
            }
        }

        return maintained;
    }
}
