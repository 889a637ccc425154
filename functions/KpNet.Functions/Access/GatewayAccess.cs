using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Accounts.Dealers;
using KpNet.Accounts.Sessions;
using KpNet.Telemetry.Alerts;

namespace KpNet.Access;

/// <summary>
/// The one place that says who may see and operate a gateway, and who hears about its alerts: its owner (the Active
/// claim in GatewayClaims) and the dealers currently linked to it (MaintenanceLinks, as <see cref="DealerAccess"/>
/// reads it). Checked against live rows on every call, so an unlinked dealer or a released claim loses access at once.
/// </summary>
public sealed class GatewayAccess(GatewayClaims claims, AccountStore accounts, DealerAccess dealerAccess, MaintenanceLinks links, DealerDirectory dealers) : IAlertRecipients
{
    public async Task<bool> CanMonitorAsync(CurrentUser user, string gatewayId, CancellationToken cancellationToken)
    {
        if (!Inventory.GatewayId.IsValid(gatewayId))
        {
            return false;
        }

        if (await ActiveClaimAsync(gatewayId, cancellationToken) is { } claim && claim.OwnerUserId == user.UserId)
        {
            return true;
        }

        return user.Role == AccountRole.Dealer && user.DealerId is { } dealerId
            && await dealerAccess.FindAsync(dealerId, gatewayId, cancellationToken) is not null;
    }

    public async Task<GatewayClaim?> ActiveClaimAsync(string gatewayId, CancellationToken cancellationToken) =>
        await claims.FindAsync(gatewayId, cancellationToken) is { Status: ClaimStatus.Active } claim ? claim : null;

    /// <summary>The customer (owner) and the maintenance staff addresses of every linked dealer, each address once.</summary>
    public async Task<IReadOnlyList<AlertRecipient>> AlertRecipientsAsync(string gatewayId, CancellationToken cancellationToken)
    {
        var recipients = new List<AlertRecipient>();
        if (await ActiveClaimAsync(gatewayId, cancellationToken) is not { } claim)
        {
            return recipients;
        }

        if (await accounts.FindByUserIdAsync(claim.OwnerUserId, cancellationToken) is { } owner)
        {
            recipients.Add(new AlertRecipient(owner.Email, owner.Language == "en", RegistrationMailer.DisplayName(owner)));
        }

        foreach (var link in await links.ListAsync(gatewayId, cancellationToken))
        {
            if (await dealers.FindAsync(link.DealerId, cancellationToken) is not { } dealer)
            {
                continue;
            }

            var english = dealer.Language == "en";
            var staff = dealer.Name + (english ? " maintenance staff" : " 保守ご担当者");
            recipients.AddRange(dealer.StaffEmails.Select(email => new AlertRecipient(email, english, staff)));
        }

        return recipients.DistinctBy(r => r.Email.ToUpperInvariant()).ToList();
    }
}
