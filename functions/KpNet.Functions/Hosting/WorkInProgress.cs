using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace KpNet.Hosting;

/// <summary>One piece of work recorded as begun: the row its end deletes.</summary>
public sealed record WorkRecord(string Minute, string Id);

/// <summary>
/// Records of work that can stop midway (storage failing between writes, an instance dying), so that a timer finds what
/// never ended: each record sits in the partition of the UTC minute it began (yyyyMMddHHmm) and is deleted when the work
/// ends, so what began before a moment is one range query over a table that holds only unfinished work.
/// </summary>
public sealed class WorkInProgress(TableClient table, TimeProvider time)
{
    private static string MinuteOf(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    public async Task<WorkRecord> BeginAsync(string id, IDictionary<string, object> details, CancellationToken cancellationToken)
    {
        var record = new WorkRecord(MinuteOf(time.GetUtcNow()), id);
        await table.UpsertEntityAsync(new TableEntity(details) { PartitionKey = record.Minute, RowKey = record.Id }, TableUpdateMode.Replace, cancellationToken);
        return record;
    }

    public async Task EndAsync(WorkRecord record, CancellationToken cancellationToken) =>
        await table.DeleteEntityAsync(record.Minute, record.Id, ETag.All, cancellationToken);

    /// <summary>Every record of work begun in <paramref name="instant"/>'s minute or earlier and not yet ended.</summary>
    public async Task<List<TableEntity>> BegunBeforeAsync(DateTimeOffset instant, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {MinuteOf(instant)}");
        var records = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            records.Add(row);
        }

        return records;
    }
}
