using Azure.Data.Tables;
using KpNet.Gateways;
using KpNet.Hosting;

namespace KpNet.Audit;

/// <summary>One view of a customer's personal data by someone other than the customer.</summary>
public sealed record AuditEntry(DateTimeOffset At, string CustomerUserId, string ViewerUserId, int? DealerId, string GatewayId, IReadOnlyList<string> Fields);

/// <summary>
/// Table AuditLog: PartitionKey = the customer's UserId, RowKey = inverted time + a random suffix, so the customer's
/// (and the operator's) reading of one customer's log is a single partition query, newest first. Written before the
/// data is answered: a view that could not be recorded is not shown.
/// </summary>
public sealed class AuditLog(StorageAccount storage)
{
    public const string TableName = "AuditLog";
    public const int MaxListed = 500;

    private TableClient Table => storage.GetTableClient(TableName);

    public async Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(entry.CustomerUserId, InvertedTimeKey.For(entry.At))
        {
            ["At"] = entry.At,
            ["ViewerUserId"] = entry.ViewerUserId,
            ["GatewayId"] = entry.GatewayId,
            ["Fields"] = string.Join(',', entry.Fields),
        };
        if (entry.DealerId is { } dealerId)
        {
            entity["DealerId"] = dealerId;
        }

        await Table.AddEntityAsync(entity, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string customerUserId, CancellationToken cancellationToken)
    {
        var entries = new List<AuditEntry>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {customerUserId}"), maxPerPage: MaxListed, cancellationToken: cancellationToken))
        {
            entries.Add(new AuditEntry(row.GetDateTimeOffset("At")!.Value, row.PartitionKey, row.GetString("ViewerUserId")!, row.GetInt32("DealerId"),
                row.GetString("GatewayId")!, (row.GetString("Fields") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)));
            if (entries.Count == MaxListed)
            {
                break;
            }
        }

        return entries;
    }
}
