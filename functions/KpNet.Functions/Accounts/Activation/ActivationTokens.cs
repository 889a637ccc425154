using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Security;

namespace KpNet.Accounts.Activation;

public enum ActivationKind
{
    Customer,
    Dealer,
}

/// <summary>An issued activation link, found by its token's hash; <see cref="ExpiresAt"/> also identifies it on the account.</summary>
public sealed record ActivationToken(string TokenHash, string Email, ActivationKind Kind, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt, ETag ETag)
{
    /// <summary>
    /// Usable while unexpired, unused and still the account's latest link: issuing a new one moves the account's
    /// ActivationExpiresAt, which retires every earlier link.
    /// </summary>
    public bool IsUsableFor(Account account, DateTimeOffset now) =>
        UsedAt is null && ExpiresAt > now && account.Status == AccountStatus.Provisional && account.ActivationExpiresAt == ExpiresAt;
}

/// <summary>Table ActivationTokens: PartitionKey = SHA-256 of the token, RowKey "". The token itself is never stored.</summary>
public sealed class ActivationTokens(StorageAccount storage)
{
    public const string TableName = "ActivationTokens";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(72);

    private TableClient Table => storage.GetTableClient(TableName);

    /// <returns>The token to put in the link.</returns>
    public async Task<string> IssueAsync(string email, ActivationKind kind, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var token = SecureToken.Create();
        await Table.AddEntityAsync(new TableEntity(SecureToken.Hash(token), "")
        {
            ["Email"] = email,
            ["Kind"] = kind.ToString(),
            ["ExpiresAt"] = expiresAt,
        }, cancellationToken);
        return token;
    }

    /// <summary>Null for malformed and unknown tokens alike.</summary>
    public async Task<ActivationToken?> FindAsync(string? token, CancellationToken cancellationToken)
    {
        if (!SecureToken.LooksValid(token))
        {
            return null;
        }

        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(SecureToken.Hash(token!), "", cancellationToken: cancellationToken)).ValueOrNull();
        return row is null
            ? null
            : new ActivationToken(row.PartitionKey, row.GetString("Email")!, Enum.Parse<ActivationKind>(row.GetString("Kind")!),
                row.GetDateTimeOffset("ExpiresAt")!.Value, row.GetDateTimeOffset("UsedAt"), row.ETag);
    }

    /// <summary>Marks the token used if nobody else did first: of two concurrent activations exactly one gets true.</summary>
    public async Task<bool> TryUseAsync(ActivationToken token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await Table.UpdateEntityAsync(
                new TableEntity(token.TokenHash, "") { ["UsedAt"] = now }, token.ETag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }
}
