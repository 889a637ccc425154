using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Dealers;
using KpNet.Accounts.Sessions;
using KpNet.Gateways.Maintenance;
using KpNet.Registration;
using KpNet.Telemetry;

namespace KpNet.Gateways;

public abstract record GatewayChange
{
    public sealed record Done(CustomerSite Site) : GatewayChange;

    /// <summary>Not the caller's gateway (or no such gateway): the same answer either way.</summary>
    public sealed record NotFound : GatewayChange;

    public sealed record CredentialsRefused(GatewayCheck Check) : GatewayChange;

    /// <summary>Held by another account, or retired.</summary>
    public sealed record Taken : GatewayChange;
}

/// <summary>
/// ゲートウェイの登録・交換・廃棄 for a signed-in customer. Each is ordered so that a crash leaves a state the same request
/// completes when retried: the caller's claim first, then the rows that make it visible, the old gateway's rows last.
/// A retired gateway's telemetry publisher is revoked (queued right after the retirement, before the row whose
/// deletion ends the retries).
/// </summary>
public sealed class GatewayManagement(
    GatewayCredentials credentials,
    GatewayClaims claims,
    RegistrationRelease release,
    CustomerSites sites,
    AccountStore accounts,
    MaintenanceLinks links,
    GatewayHistory history,
    DealerDirectory dealers,
    MaintenanceMailer mailer,
    TelemetryPublishers publishers,
    TimeProvider time,
    ILogger<GatewayManagement> logger)
{
    public async Task<GatewayChange> AddAsync(
        CurrentUser user, string gatewayId, string password, SiteInput site, DateOnly? gridConnectionDate, string clientAddress, CancellationToken cancellationToken)
    {
        if (await ClaimAsync(user, gatewayId, password, clientAddress, cancellationToken) is { } refused)
        {
            return refused;
        }

        var now = time.GetUtcNow();
        var added = new CustomerSite(user.UserId, gatewayId, site.Name, site.Address, gridConnectionDate, now);
        await sites.UpsertAsync(added, cancellationToken);
        await history.RecordAsync(new GatewayEvent(gatewayId, GatewayEventKind.Added, now, user.UserId), cancellationToken);
        logger.GatewayAdded(user.UserId, gatewayId);
        return new GatewayChange.Done(added);
    }

    /// <summary>The new gateway takes over the site (with its dates: the battery and PCS stay), the dealers and the history.</summary>
    public async Task<GatewayChange> ReplaceAsync(
        CurrentUser user, string oldGatewayId, string newGatewayId, string password, string clientAddress, CancellationToken cancellationToken)
    {
        if (await sites.FindAsync(user.UserId, oldGatewayId, cancellationToken) is not { } old)
        {
            return new GatewayChange.NotFound();
        }

        // Already one of the caller's gateways in its own right (a retried replacement's row names the old one).
        if (await sites.FindAsync(user.UserId, newGatewayId, cancellationToken) is { } current && !current.Replaces.Contains(oldGatewayId))
        {
            return new GatewayChange.Taken();
        }

        if (await ClaimAsync(user, newGatewayId, password, clientAddress, cancellationToken) is { } refused)
        {
            return refused;
        }

        var now = time.GetUtcNow();
        var oldLinks = await links.ListAsync(oldGatewayId, cancellationToken);
        var replacement = old with { GatewayId = newGatewayId, Replaces = [.. old.Replaces, oldGatewayId] };
        var customer = await accounts.FindByUserIdAsync(user.UserId, cancellationToken);
        await links.CopyAsync(oldLinks, newGatewayId, ListedNames.Of(replacement, customer), cancellationToken);
        await sites.UpsertAsync(replacement, cancellationToken);
        await history.RecordAsync(new GatewayEvent(newGatewayId, GatewayEventKind.Replacing, now, user.UserId, OtherGatewayId: oldGatewayId), cancellationToken);
        await history.RecordAsync(new GatewayEvent(oldGatewayId, GatewayEventKind.ReplacedBy, now, user.UserId, OtherGatewayId: newGatewayId), cancellationToken);
        await claims.RetireAsync(oldGatewayId, user.UserId, user.Email, now, cancellationToken);
        await publishers.QueueRevocationAsync(oldGatewayId, cancellationToken);
        await links.UnlinkAllAsync(oldGatewayId, cancellationToken);
        await sites.DeleteAsync(user.UserId, oldGatewayId, cancellationToken);
        logger.GatewayReplaced(user.UserId, oldGatewayId, newGatewayId, oldLinks.Count);
        return new GatewayChange.Done(replacement);
    }

    /// <summary>The dealers lose access first; the claim stays, retired, with the history, for the operator.</summary>
    public async Task<GatewayChange> DisposeAsync(CurrentUser user, string gatewayId, CancellationToken cancellationToken)
    {
        if (await sites.FindAsync(user.UserId, gatewayId, cancellationToken) is not { } site)
        {
            return new GatewayChange.NotFound();
        }

        var now = time.GetUtcNow();
        var ended = await links.UnlinkAllAsync(gatewayId, cancellationToken);
        await claims.RetireAsync(gatewayId, user.UserId, user.Email, now, cancellationToken);
        await publishers.QueueRevocationAsync(gatewayId, cancellationToken);
        await history.RecordAsync(new GatewayEvent(gatewayId, GatewayEventKind.Disposed, now, user.UserId), cancellationToken);
        await sites.DeleteAsync(user.UserId, gatewayId, cancellationToken);
        foreach (var link in ended)
        {
            if (await dealers.FindAsync(link.DealerId, cancellationToken) is { } dealer)
            {
                await mailer.SendUnlinkedAsync(customer: null, site, dealer, UnlinkReason.Disposal, cancellationToken);
            }
        }

        logger.GatewayDisposed(user.UserId, gatewayId, ended.Count);
        return new GatewayChange.Done(site);
    }

    /// <summary>
    /// Checks the sheet's credentials (throttled like registration) and claims the gateway, Active at once (the caller's
    /// account is). A claim the caller already holds is a retried request, one a registration with the caller's address left
    /// is taken over, and an expired provisional claim is released.
    /// </summary>
    /// <returns>Null when the caller holds the claim now, else why not.</returns>
    private async Task<GatewayChange?> ClaimAsync(CurrentUser user, string gatewayId, string password, string clientAddress, CancellationToken cancellationToken)
    {
        var check = await credentials.VerifyAsync(gatewayId, password, clientAddress, cancellationToken);
        if (check is not GatewayCheck.Verified)
        {
            return new GatewayChange.CredentialsRefused(check);
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var claim = new GatewayClaim(gatewayId, user.UserId, user.Email, ClaimStatus.Active, time.GetUtcNow(), null, default);
            if (await claims.TryInsertAsync(claim, cancellationToken) is not null)
            {
                return null;
            }

            var existing = await claims.FindAsync(gatewayId, cancellationToken);
            if (existing is { Status: not ClaimStatus.Retired } && existing.OwnerUserId == user.UserId)
            {
                return null;
            }

            // A registration with the caller's address made no account (the address had this one) and left its claim to lapse;
            // the caller has proved both the address and the gateway's password.
            if (existing is { Status: ClaimStatus.Provisional } && existing.IsOwnedBy(user.Email) && await claims.TryDeleteAsync(existing, cancellationToken))
            {
                continue;
            }

            if (existing is not null && !await release.TryReleaseAsync(existing, cancellationToken))
            {
                break;
            }
        }

        logger.GatewayTaken(user.UserId, gatewayId);
        return new GatewayChange.Taken();
    }
}
