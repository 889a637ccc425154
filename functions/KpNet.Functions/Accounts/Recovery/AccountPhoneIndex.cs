using Azure.Data.Tables;
using KpNet.Hosting;

namespace KpNet.Accounts.Recovery;

public sealed record PhoneIndexEntry(string UserId, string Email, PersonName Name);

/// <summary>
/// Table AccountsByPhone: PartitionKey = phone digits, RowKey = UserId, with the address and name, so the forgotten-ID
/// lookup (name + phone) is a single-partition query instead of a scan of Accounts. Activation writes the row; login
/// writes it again (an idempotent upsert), which also fills it for accounts activated before the index existed.
/// Rows can be stale (name or address changed): readers confirm against the account itself.
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
