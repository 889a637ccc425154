using Azure;
using KpNet.Accounts;
using KpNet.Registration;

namespace KpNet.Access;

/// <summary>
/// Frees gateways whose provisional registration expired: the claim, the provisional account and its site rows go, so
/// the gateway can be registered again. The account is the truth about expiry (a re-issued link extends it); the
/// claim's ExpiresAt is only the hint the sweep index was written from.
/// </summary>
public sealed class RegistrationRelease(
    GatewayClaims claims, AccountStore accounts, CustomerSites sites, RegistrationExpiries expiries, TimeProvider time, ILogger<RegistrationRelease> logger)
{
    /// <summary>Releases the claim if its registration has expired; repairs a claim an activation left provisional.</summary>
    /// <returns>Whether the gateway is free now.</returns>
    public async Task<bool> TryReleaseAsync(GatewayClaim claim, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!claim.HasExpired(now))
        {
            return false;
        }

        var account = await accounts.FindByEmailAsync(claim.OwnerEmail, cancellationToken);
        if (account is not null && account.UserId == claim.OwnerUserId)
        {
            if (account.Status == AccountStatus.Active)
            {
                await claims.TryActivateAsync(claim, cancellationToken);
                logger.ClaimRepaired(account.UserId, claim.GatewayId);
                return false;
            }

            if (account.ActivationExpiresAt > now)
            {
                return false;
            }
        }

        return await ReleaseAsync(claim, account is not null && account.UserId == claim.OwnerUserId ? account : null, cancellationToken);
    }

    /// <summary>
    /// Undoes a provisional registration: its site rows, its account (when given; only as it was read, so an activation or
    /// a new link meanwhile keeps it) and the claim.
    /// </summary>
    /// <returns>Whether the gateway is free now.</returns>
    public async Task<bool> ReleaseAsync(GatewayClaim claim, Account? account, CancellationToken cancellationToken)
    {
        if (account is not null)
        {
            await sites.DeleteAllOfAsync(account.UserId, cancellationToken);
            try
            {
                await accounts.DeleteAsync(account, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Activated or re-issued a moment ago: leave it to the next sweep, which will see why.
                return false;
            }
        }

        if (!await claims.TryDeleteAsync(claim, cancellationToken))
        {
            return false;
        }

        logger.RegistrationReleased(claim.OwnerUserId, claim.GatewayId);
        return true;
    }

    /// <summary>The timer's work: every index row now due is settled: released, dropped, or kept for a later run.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var due = await expiries.DueByAsync(time.GetUtcNow(), cancellationToken);
        var released = 0;
        foreach (var expiry in due)
        {
            var claim = await claims.FindAsync(expiry.GatewayId, cancellationToken);
            var settled = claim is null or { Status: ClaimStatus.Active };
            if (!settled && await TryReleaseAsync(claim!, cancellationToken))
            {
                released++;
                settled = true;
            }

            if (settled || await IsCoveredByLaterRowAsync(claim!, expiry, cancellationToken))
            {
                await expiries.RemoveAsync(expiry, cancellationToken);
            }
        }

        logger.SweepCompleted(due.Count, released);
    }

    // A re-issued link moved the account's expiry and wrote a row for its hour; this older row has done its job.
    private async Task<bool> IsCoveredByLaterRowAsync(GatewayClaim claim, RegistrationExpiry expiry, CancellationToken cancellationToken)
    {
        var account = await accounts.FindByEmailAsync(claim.OwnerEmail, cancellationToken);
        return account?.ActivationExpiresAt is { } expiresAt && string.CompareOrdinal(RegistrationExpiries.HourOf(expiresAt), expiry.Hour) > 0;
    }
}
