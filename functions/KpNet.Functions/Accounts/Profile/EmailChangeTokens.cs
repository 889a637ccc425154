using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Security;

namespace KpNet.Accounts.Profile;

/// <summary>A requested change of address, found by its link's token: the account (by user ID) and the address it is to get.</summary>
public sealed record EmailChange(string TokenHash, string UserId, string OldEmail, string NewEmail, ETag ETag);

/// <summary>
/// Table EmailChangeTokens, as the activation and reset links: token rows (PartitionKey = SHA-256 of the token, RowKey "":
/// UserId, OldEmail, NewEmail, ExpiresAt, UsedAt; the token itself is never stored) and per account one pointer row
/// (PartitionKey = UserId, RowKey "latest") naming the newest token, so a new request retires every earlier link.
/// </summary>
public sealed class EmailChangeTokens(StorageAccount storage, TimeProvider time)
{
    public const string TableName = "EmailChangeTokens";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private const string LatestRow = "latest";

    private TableClient Table => storage.GetTableClient(TableName);

    /// <returns>The token for the link and its expiry.</returns>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(Account account, string newEmail, CancellationToken cancellationToken)
    {
        var token = SecureToken.Create();
        var hash = SecureToken.Hash(token);
        var expiresAt = time.GetUtcNow() + Lifetime;
        await Table.AddEntityAsync(new TableEntity(hash, "")
        {
            ["UserId"] = account.UserId,
            ["OldEmail"] = account.Email,
            ["NewEmail"] = newEmail,
            ["ExpiresAt"] = expiresAt,
        }, cancellationToken);
        await Table.UpsertEntityAsync(new TableEntity(account.UserId, LatestRow) { ["TokenHash"] = hash }, TableUpdateMode.Replace, cancellationToken);
        return (token, expiresAt);
    }

    /// <summary>The change if its token is known, unused, unexpired and the account's newest; null otherwise (all answered 410).</summary>
    public async Task<EmailChange?> FindUsableAsync(string token, CancellationToken cancellationToken)
    {
        if (!SecureToken.LooksValid(token))
        {
            return null;
        }

        var hash = SecureToken.Hash(token);
        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(hash, "", cancellationToken: cancellationToken)).ValueOrNull();
        if (row is null || row.GetDateTimeOffset("UsedAt") is not null || row.GetDateTimeOffset("ExpiresAt") <= time.GetUtcNow())
        {
            return null;
        }

        var userId = row.GetString("UserId")!;
        var latest = (await Table.GetEntityIfExistsAsync<TableEntity>(userId, LatestRow, cancellationToken: cancellationToken)).ValueOrNull();
        return latest?.GetString("TokenHash") == hash
            ? new EmailChange(hash, userId, row.GetString("OldEmail")!, row.GetString("NewEmail")!, row.ETag)
            : null;
    }

    /// <summary>Marks the token used if nobody did first: of two concurrent confirmations exactly one gets true.</summary>
    public async Task<bool> TryUseAsync(EmailChange change, CancellationToken cancellationToken)
    {
        try
        {
            await Table.UpdateEntityAsync(new TableEntity(change.TokenHash, "") { ["UsedAt"] = time.GetUtcNow() }, change.ETag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }
}
