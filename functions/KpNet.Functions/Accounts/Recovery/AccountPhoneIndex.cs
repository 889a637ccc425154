using Azure.Data.Tables;
using KpNet.Hosting;

namespace KpNet.Accounts.Recovery;

public sealed record PhoneIndexEntry(string UserId, string Email, PersonName Name);

/// <summary>
/// Table AccountsByPhone: PartitionKey = phone digits, RowKey = UserId, with the address and name, so the forgotten-ID
/// lookup (name + phone) is a single-partition query instead of a scan of Accounts. Activation writes the row; login
/// writes it again (an idempotent upsert), which also fills it for accounts activated before the index existed; a change
/// of name, phone or address (登録情報の変更) writes the new row and then removes the old phone's. Rows can still be stale
/// (a change interrupted between its writes): readers confirm against the account itself.
/// </summary>
public sealed class AccountPhoneIndex(StorageAccount storage)
{
    public const string TableName = "AccountsByPhone";

    private TableClient Table => storage.GetTableClient(TableName);

    public async Task UpsertAsync(Account account, CancellationToken cancellationToken)
    {
        if (account.Phone.Length == 0)
        {
            return;
        }

        await Table.UpsertEntityAsync(new TableEntity(account.Phone, account.UserId)
        {
            ["Email"] = account.Email,
            ["FamilyName"] = account.Name.Family,
            ["GivenName"] = account.Name.Given,
        }, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Removes the account's row under a phone number it no longer has (idempotent: a missing row is fine).</summary>
    public async Task RemoveAsync(string phoneDigits, string userId, CancellationToken cancellationToken)
    {
        if (phoneDigits.Length > 0)
        {
            await Table.DeleteEntityAsync(phoneDigits, userId, global::Azure.ETag.All, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<PhoneIndexEntry>> FindAsync(string phoneDigits, CancellationToken cancellationToken)
    {
        var entries = new List<PhoneIndexEntry>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {phoneDigits}"), cancellationToken: cancellationToken))
        {
            entries.Add(new PhoneIndexEntry(row.RowKey, row.GetString("Email")!, new PersonName(row.GetString("FamilyName") ?? "", row.GetString("GivenName") ?? "")));
        }

        return entries;
    }
}
