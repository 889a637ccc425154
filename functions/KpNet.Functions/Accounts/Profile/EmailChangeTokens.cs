using Azure;
using Azure.Data.Tables;
using KpNet.Hosting;
using KpNet.Security;

namespace KpNet.Accounts.Profile;

/// <summary>A requested change of address, found by its link's token: the account (by user ID) and the address it is to get.</summary>
public sealed record EmailChange(string TokenHash, string UserId, string OldEmail, string NewEmail, ETag ETag);

/// <summary>
/// Table EmailChangeTokens, one-time links as the reset links (<see cref="OneTimeLinkRows"/>): a row per link (UserId,
/// OldEmail, NewEmail, ExpiresAt, UsedAt) and per account (PartitionKey = UserId) the pointer to the newest.
/// </summary>
public sealed class EmailChangeTokens(StorageAccount storage, TimeProvider time)
{
    public const string TableName = "EmailChangeTokens";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private OneTimeLinkRows Links => new(storage.GetTableClient(TableName), time);

    /// <returns>The token for the link and its expiry.</returns>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(Account account, string newEmail, CancellationToken cancellationToken)
    {
        var token = SecureToken.Create();
        var expiresAt = time.GetUtcNow() + Lifetime;
        await Links.AddAsync(new TableEntity(SecureToken.Hash(token), "")
        {
            ["UserId"] = account.UserId,
            ["OldEmail"] = account.Email,
            ["NewEmail"] = newEmail,
            ["ExpiresAt"] = expiresAt,
        }, account.UserId, cancellationToken);
        return (token, expiresAt);
    }

    /// <summary>The change if its token is known, unused, unexpired and the account's newest; null otherwise (all answered 410).</summary>
    public async Task<EmailChange?> FindUsableAsync(string token, CancellationToken cancellationToken) =>
        await Links.FindUsableAsync(token, row => row.GetString("UserId")!, cancellationToken) is { } row
            ? new EmailChange(row.PartitionKey, row.GetString("UserId")!, row.GetString("OldEmail")!, row.GetString("NewEmail")!, row.ETag)
            : null;

    /// <summary>Marks the token used if nobody did first: of two concurrent confirmations exactly one gets true.</summary>
    public Task<bool> TryUseAsync(EmailChange change, CancellationToken cancellationToken) =>
        Links.TryUseAsync(change.TokenHash, change.ETag, cancellationToken);
}
