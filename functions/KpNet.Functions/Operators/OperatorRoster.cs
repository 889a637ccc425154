using Azure.Data.Tables;
using KpNet.Hosting;

namespace KpNet.Operators;

public sealed record OperatorEntry(string UserId, string Email, DateTimeOffset GrantedAt, string GrantedBy);

/// <summary>
/// Table Operators: PartitionKey "operators", RowKey = UserId; the accounts an operator made operators, so listing them
/// is one partition query (the account row, whose Role is the truth, is read for each). The first operator comes from
/// Admin__FirstAdminEmail and is not listed here unless granted again.
/// </summary>
public sealed class OperatorRoster(StorageAccount storage)
{
    public const string TableName = "Operators";
    private const string Partition = "operators";

    private TableClient Table => storage.GetTableClient(TableName);

    public async Task AddAsync(OperatorEntry entry, CancellationToken cancellationToken) =>
        await Table.UpsertEntityAsync(new TableEntity(Partition, entry.UserId)
        {
            ["Email"] = entry.Email,
            ["GrantedAt"] = entry.GrantedAt,
            ["GrantedBy"] = entry.GrantedBy,
        }, TableUpdateMode.Replace, cancellationToken);

    public async Task RemoveAsync(string userId, CancellationToken cancellationToken) =>
        await Table.DeleteEntityAsync(Partition, userId, global::Azure.ETag.All, cancellationToken);

    public async Task<IReadOnlyList<OperatorEntry>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = new List<OperatorEntry>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: cancellationToken))
        {
            entries.Add(new OperatorEntry(row.RowKey, row.GetString("Email")!, row.GetDateTimeOffset("GrantedAt")!.Value, row.GetString("GrantedBy")!));
        }

        return entries;
    }
}
