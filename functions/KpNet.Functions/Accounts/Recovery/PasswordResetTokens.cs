using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Http.Forms;
using KpNet.Security;

namespace KpNet.Accounts.Recovery;

public sealed record PasswordResetToken(string TokenHash, string Email, ETag ETag);

/// <summary>
/// Table PasswordResetTokens, one-time links (<see cref="OneTimeLinkRows"/>). Token rows: PartitionKey = SHA-256 of the
/// token, RowKey "" (Email, CreatedAt, ExpiresAt, UsedAt, PhoneFailures). Per account one pointer row, PartitionKey =
/// <see cref="EmailKey"/>, RowKey "latest", naming the newest token: only that one is usable, so a new request supersedes
/// every earlier link without finding them.
/// </summary>
public sealed class PasswordResetTokens(StorageAccount storage, TimeProvider time)
{
    public const string TableName = "PasswordResetTokens";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>Wrong phone numbers typed with one link before it is burnt.</summary>
    public const int MaxPhoneFailures = 5;

    private TableClient Table => storage.GetTableClient(TableName);

    private OneTimeLinkRows Links => new(Table, time);

    /// <summary>Stores a new token for the account and makes it the only usable one; answers its expiry.</summary>
    public async Task<DateTimeOffset> StoreAsync(string tokenHash, Account account, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expiresAt = now + Lifetime;
        var previous = await Links.AddAsync(new TableEntity(tokenHash, "")
        {
            ["Email"] = account.Email,
            ["CreatedAt"] = now,
            ["ExpiresAt"] = expiresAt,
            ["PhoneFailures"] = 0,
        }, EmailKey.For(account.Email), cancellationToken);
        if (previous is not null)
        {
            await Table.DeleteEntityAsync(previous, "", ETag.All, cancellationToken);
        }

        return expiresAt;
    }

    /// <summary>The token if it is known, unused, unexpired and the account's newest; null otherwise (all answered 410).</summary>
    public async Task<PasswordResetToken?> FindUsableAsync(string token, CancellationToken cancellationToken) =>
        await Links.FindUsableAsync(token, row => EmailKey.For(row.GetString("Email")!), cancellationToken) is { } row
            ? new PasswordResetToken(row.PartitionKey, row.GetString("Email")!, row.ETag)
            : null;

    /// <summary>Marks the token used if nobody touched it since it was read: of two concurrent uses only one wins.</summary>
    public Task<bool> TryConsumeAsync(PasswordResetToken token, CancellationToken cancellationToken) =>
        Links.TryUseAsync(token.TokenHash, token.ETag, cancellationToken);

    /// <summary>Counts a wrong phone number against the token; the <see cref="MaxPhoneFailures"/>th burns it.</summary>
    public async Task RecordPhoneFailureAsync(string tokenHash, CancellationToken cancellationToken)
    {
        // A concurrent wrong guess counted first: count on top of it.
        await ConflictRetry.RunAsync(
            async _ =>
            {
                var row = (await Table.GetEntityIfExistsAsync<TableEntity>(tokenHash, "", cancellationToken: cancellationToken)).ValueOrNull();
                if (row is null)
                {
                    return;
                }

                var failures = (row.GetInt32("PhoneFailures") ?? 0) + 1;
                var update = new TableEntity(tokenHash, "") { ["PhoneFailures"] = failures };
                if (failures >= MaxPhoneFailures)
                {
                    update["UsedAt"] = time.GetUtcNow();
                }

                await Table.UpdateEntityAsync(update, row.ETag, TableUpdateMode.Merge, cancellationToken);
            },
            cancellationToken);
    }
}
