using Azure;
using KpNet.Accounts.Recovery;
using KpNet.Http.Forms;
using KpNet.Observability;
using KpNet.Security;

namespace KpNet.Accounts.Sessions;

public abstract record SignInResult
{
    public sealed record Succeeded(Account Account) : SignInResult;

    /// <summary>Unknown address, wrong password or a provisional account: deliberately one outcome.</summary>
    public sealed record Failed : SignInResult;

    public sealed record Locked(TimeSpan RetryAfter) : SignInResult;

    /// <summary>The right password for an account the operator has locked.</summary>
    public sealed record LockedByOperator : SignInResult;
}

/// <summary>
/// Checks an e-mail + password under <see cref="Limits"/> (see <see cref="GuessLimits"/>): the address is the account, known
/// or not, so the limits reveal nothing. An unknown address costs the same hash verification as a known one.
/// </summary>
public sealed class SignIn(AccountStore accounts, SecretHasher hasher, GuessGuard guard, AccountPhoneIndex phoneIndex, KpNetMetrics metrics)
{
    /// <summary>50 failures per client per 15 minutes (many addresses sprayed); 5 per address and client; 20 per address an hour from clients that never logged in to it.</summary>
    public static readonly GuessLimits Limits = GuessLimits.For("login", perClient: 50, perAccountPerHour: 20);

    private readonly Lazy<string> _dummyHash = new(() => hasher.Hash(SecureToken.Create()));

    public async Task<SignInResult> AttemptAsync(string email, string password, string client, CancellationToken cancellationToken)
    {
        var accountKey = EmailKey.For(email);
        if (await guard.RefusalAsync(Limits, accountKey, client, cancellationToken) is { } wait)
        {
            metrics.AuthFailure(AuthFailureKind.Login, blocked: true);
            return new SignInResult.Locked(wait);
        }

        var account = await accounts.FindByEmailAsync(email, cancellationToken);
        var verification = hasher.Verify(account?.PasswordHash ?? _dummyHash.Value, password);
        if (account is not { Status: AccountStatus.Active, PasswordHash: not null } || verification == SecretVerification.Invalid)
        {
            var locked = await guard.FailedAsync(Limits, accountKey, client, cancellationToken);
            metrics.AuthFailure(AuthFailureKind.Login, blocked: locked is not null);
            return locked is { } lockedFor ? new SignInResult.Locked(lockedFor) : new SignInResult.Failed();
        }

        await guard.SucceededAsync(Limits, accountKey, client, cancellationToken);
        if (account.LockedAt is not null)
        {
            return new SignInResult.LockedByOperator();
        }

        if (verification == SecretVerification.ValidButOutdated)
        {
            account = await RehashAsync(account, password, cancellationToken);
        }

        await phoneIndex.UpsertAsync(account, cancellationToken);
        return new SignInResult.Succeeded(account);
    }

    /// <summary>
    /// The signed-in owner confirms a change of their registration data with the current password: a wrong one counts
    /// against the same limits as a failed login, since it is the same secret to guess.
    /// </summary>
    public async Task<SignInResult> ConfirmPasswordAsync(Account account, string password, string client, CancellationToken cancellationToken)
    {
        var accountKey = EmailKey.For(account.Email);
        if (await guard.RefusalAsync(Limits, accountKey, client, cancellationToken) is { } wait)
        {
            metrics.AuthFailure(AuthFailureKind.Login, blocked: true);
            return new SignInResult.Locked(wait);
        }

        if (account.PasswordHash is null || hasher.Verify(account.PasswordHash, password) == SecretVerification.Invalid)
        {
            var locked = await guard.FailedAsync(Limits, accountKey, client, cancellationToken);
            metrics.AuthFailure(AuthFailureKind.Login, blocked: locked is not null);
            return locked is { } lockedFor ? new SignInResult.Locked(lockedFor) : new SignInResult.Failed();
        }

        await guard.SucceededAsync(Limits, accountKey, client, cancellationToken);
        return new SignInResult.Succeeded(account);
    }

    /// <summary>
    /// After a password reset by mail the owner may log in at once, whatever the guessers did before: the budget starts
    /// again and the client that reset the password counts as the owner's.
    /// </summary>
    public async Task UnlockAsync(string email, string client, CancellationToken cancellationToken)
    {
        await guard.ResetBudgetAsync(Limits, EmailKey.For(email), cancellationToken);
        await guard.SucceededAsync(Limits, EmailKey.For(email), client, cancellationToken);
    }

    // The stamp stays: a stronger hash of the same password must not log the user out elsewhere. Losing a race to
    // another change is harmless; the next login rehashes again.
    private async Task<Account> RehashAsync(Account account, string password, CancellationToken cancellationToken)
    {
        try
        {
            return await accounts.ReplaceAsync(account with { PasswordHash = hasher.Hash(password) }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return account;
        }
    }
}
