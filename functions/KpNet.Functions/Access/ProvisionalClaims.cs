using KpNet.Accounts;
using KpNet.Accounts.Activation;

namespace KpNet.Access;

/// <summary>
/// A provisional customer's gateway claims follow their activation link: they stay as long as the current link lives
/// (an expiry row per gateway, which the registration sweep releases), and 本登録 makes them the customer's.
/// </summary>
public sealed class ProvisionalClaims(CustomerSites sites, GatewayClaims claims, RegistrationExpiries expiries) : IActivationListener
{
    public async Task OnLinkReissuingAsync(Account account, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        foreach (var gatewayId in await sites.GatewayIdsOfAsync(account.UserId, cancellationToken))
        {
            await expiries.AddAsync(gatewayId, expiresAt, cancellationToken);
        }
    }

    public async Task OnActivatedAsync(Account account, CancellationToken cancellationToken)
    {
        foreach (var gatewayId in await sites.GatewayIdsOfAsync(account.UserId, cancellationToken))
        {
            if (await claims.FindAsync(gatewayId, cancellationToken) is { Status: ClaimStatus.Provisional } claim && claim.OwnerUserId == account.UserId)
            {
                await claims.TryActivateAsync(claim, cancellationToken);
            }
        }
    }
}
