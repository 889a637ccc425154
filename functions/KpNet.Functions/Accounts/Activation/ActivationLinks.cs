using KpNet.Azure.Storage;

namespace KpNet.Accounts.Activation;

/// <summary>Issues activation links: the first one at registration, and fresh ones (retiring the old) on request.</summary>
public sealed class ActivationLinks(
    ActivationTokens tokens, AccountStore accounts, IEnumerable<IActivationListener> listeners, RegistrationMailer mailer,
    TimeProvider time, ILogger<ActivationLinks> logger)
{
    /// <summary>Whole seconds: the expiry is shown to people and identifies the account's current link.</summary>
    public DateTimeOffset NewExpiry()
    {
        var expiresAt = time.GetUtcNow() + ActivationTokens.Lifetime;
        return expiresAt.AddTicks(-(expiresAt.Ticks % TimeSpan.TicksPerSecond));
    }

    /// <summary>The first link of a freshly inserted provisional account (its ActivationExpiresAt names this link).</summary>
    public async Task SendFirstAsync(Account account, ActivationKind kind, CancellationToken cancellationToken)
    {
        var token = await tokens.IssueAsync(account.Email, kind, account.ActivationExpiresAt!.Value, cancellationToken);
        await mailer.SendActivationLinkAsync(account, token, cancellationToken);
    }

    /// <summary>
    /// A fresh link for a provisional account: the new token is stored first, then the account's expiry moves to it
    /// (retiring every earlier link at once); before that, the listeners move what lives as long as the link (the
    /// account's provisional gateway claims).
    /// </summary>
    /// <returns>The new expiry, or null when the account is no longer provisional.</returns>
    public async Task<DateTimeOffset?> ReissueAsync(Account account, ActivationKind kind, CancellationToken cancellationToken)
    {
        // Changed meanwhile (activated, or another link issued): decide again on what it is now.
        var issued = await ConflictRetry.RunAsync<(Account Account, string Token, DateTimeOffset ExpiresAt)?>(
            async attempt =>
            {
                if (attempt > 1)
                {
                    if (await accounts.FindByEmailAsync(account.Email, cancellationToken) is not { } current)
                    {
                        return null;
                    }

                    account = current;
                }

                if (account.Status != AccountStatus.Provisional)
                {
                    return null;
                }

                // Strictly later than the current link's expiry, which is how the current link is told from older ones.
                var expiresAt = NewExpiry();
                if (account.ActivationExpiresAt >= expiresAt)
                {
                    expiresAt = account.ActivationExpiresAt.Value.AddSeconds(1);
                }

                foreach (var listener in listeners)
                {
                    await listener.OnLinkReissuingAsync(account, expiresAt, cancellationToken);
                }

                var token = await tokens.IssueAsync(account.Email, kind, expiresAt, cancellationToken);
                return (await accounts.ReplaceAsync(account with { ActivationExpiresAt = expiresAt }, cancellationToken), token, expiresAt);
            },
            cancellationToken);
        if (issued is not var (saved, token, expiresAt))
        {
            return null;
        }

        await mailer.SendActivationLinkAsync(saved, token, cancellationToken);
        logger.ActivationLinkReissued(saved.UserId);
        return expiresAt;
    }
}
