using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;

namespace KpNet.Security;

/// <summary>
/// The rows behind mailed one-time links (password reset, change of address) in their table: a row per link
/// (PartitionKey = SHA-256 of the token, RowKey "": what the link is for, ExpiresAt, UsedAt; the token itself is never
/// stored) and per owner one pointer row (PartitionKey = the owner's key, RowKey "latest") naming the newest link, so a
/// new link retires every earlier one without finding them.
/// </summary>
public sealed class OneTimeLinkRows(TableClient table, TimeProvider time)
{
    private const string LatestRow = "latest";

    /// <summary>Stores the link's row (its PartitionKey the token's hash) as its owner's newest; answers the hash of the link it retired.</summary>
    public async Task<string?> AddAsync(TableEntity link, string ownerKey, CancellationToken cancellationToken)
    {
        await table.AddEntityAsync(link, cancellationToken);
        var previous = (await table.GetEntityIfExistsAsync<TableEntity>(ownerKey, LatestRow, cancellationToken: cancellationToken)).ValueOrNull()?.GetString("TokenHash");
        await table.UpsertEntityAsync(new TableEntity(ownerKey, LatestRow) { ["TokenHash"] = link.PartitionKey }, TableUpdateMode.Replace, cancellationToken);
        return previous;
    }

    /// <summary>The link's row if it is known, unused, unexpired and its owner's newest (<paramref name="ownerKey"/> reads the owner off it); null otherwise.</summary>
    public async Task<TableEntity?> FindUsableAsync(string? token, Func<TableEntity, string> ownerKey, CancellationToken cancellationToken)
    {
        if (!SecureToken.LooksValid(token))
        {
            return null;
        }

        var hash = SecureToken.Hash(token!);
        var link = (await table.GetEntityIfExistsAsync<TableEntity>(hash, "", cancellationToken: cancellationToken)).ValueOrNull();
        if (link is null || link.GetDateTimeOffset("UsedAt") is not null || link.GetDateTimeOffset("ExpiresAt") <= time.GetUtcNow())
        {
            return null;
        }

        var latest = (await table.GetEntityIfExistsAsync<TableEntity>(ownerKey(link), LatestRow, cancellationToken: cancellationToken)).ValueOrNull();
        return latest?.GetString("TokenHash") == hash ? link : null;
    }

    /// <summary>Marks the link used if nobody touched it since it was read: of concurrent uses exactly one gets true.</summary>
    public async Task<bool> TryUseAsync(string tokenHash, ETag readAs, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(new TableEntity(tokenHash, "") { ["UsedAt"] = time.GetUtcNow() }, readAs, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }
}
