using Azure;
using KpNet.Accounts.Recovery;
using KpNet.Security;

namespace KpNet.Accounts.Sessions;

public abstract record SignInResult
{
    public sealed record Succeeded(Account Account) : SignInResult;

    /// <summary>Unknown address, wrong password or a provisional account: deliberately one outcome.</summary>
    public sealed record Failed : SignInResult;

    public sealed record Locked(TimeSpan RetryAfter) : SignInResult;
}

/// <summary>
/// Checks an e-mail + password under the guessing limits: <see cref="PerAccount"/> failures lock the address (known or
/// not, so the lock reveals nothing), <see cref="PerClient"/> failures lock the caller's IP so one client cannot spray
/// many addresses. An unknown address costs the same hash verification as a known one.
/// </summary>
public sealed class SignIn(AccountStore accounts, SecretHasher hasher, Throttle throttle, AccountPhoneIndex phoneIndex)
{
    public static readonly ThrottleRule PerAccount = new("login", 5, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15));
    public static readonly ThrottleRule PerClient = new("login-client", 50, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15));

    private readonly Lazy<string> _dummyHash = new(() => hasher.Hash(SecureToken.Create()));

    public async Task<SignInResult> AttemptAsync(string email, string password, string client, CancellationToken cancellationToken)
    {
        var accountKey = EmailKey.For(email);
        var blocked = await BlockedAsync(accountKey, client, cancellationToken);
        if (blocked is not null)
        {
            return blocked;
        }

        var account = await accounts.FindByEmailAsync(email, cancellationToken);
        var verification = hasher.Verify(account?.PasswordHash ?? _dummyHash.Value, password);
        if (account is not { Status: AccountStatus.Active, PasswordHash: not null } || verification == SecretVerification.Invalid)
        {
            var perAccount = await throttle.RecordFailureAsync(PerAccount, accountKey, cancellationToken);
            var perClient = await throttle.RecordFailureAsync(PerClient, client, cancellationToken);
            return Longest(perAccount, perClient) is { } locked ? locked : new SignInResult.Failed();
        }

        await throttle.ResetAsync(PerAccount, accountKey, cancellationToken);
        if (verification == SecretVerification.ValidButOutdated)
        {
            account = await RehashAsync(account, password, cancellationToken);
        }

        await phoneIndex.UpsertAsync(account, cancellationToken);
        return new SignInResult.Succeeded(account);
    }

    /// <summary>After a password reset the owner may log in at once, whatever the guessers did before.</summary>
    public Task UnlockAsync(string email, CancellationToken cancellationToken) =>
        throttle.ResetAsync(PerAccount, EmailKey.For(email), cancellationToken);

    private async Task<SignInResult.Locked?> BlockedAsync(string accountKey, string client, CancellationToken cancellationToken) =>
        Longest(await throttle.CheckAsync(PerAccount, accountKey, cancellationToken), await throttle.CheckAsync(PerClient, client, cancellationToken));

    private static SignInResult.Locked? Longest(ThrottleDecision first, ThrottleDecision second) =>
        first.Allowed && second.Allowed ? null : new SignInResult.Locked(first.RetryAfter > second.RetryAfter ? first.RetryAfter : second.RetryAfter);

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
