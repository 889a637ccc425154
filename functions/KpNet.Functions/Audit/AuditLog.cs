using Azure;
using Azure.Data.Tables;
using KpNet.Hosting;

namespace KpNet.Audit;

/// <summary>
/// One view of a customer's personal data by someone other than the customer, or one thing the operator did for them
/// (<see cref="Action"/>, with the <see cref="Reason"/> the operator gave).
/// </summary>
public sealed record AuditEntry(
    DateTimeOffset At, string CustomerUserId, string ViewerUserId, int? DealerId, string GatewayId, IReadOnlyList<string> Fields,
    string? Action = null, string? Reason = null);

/// <summary>A period of the log, either end open.</summary>
public sealed record AuditPeriod(DateTimeOffset? From, DateTimeOffset? To);

/// <summary>
/// Table AuditLog: PartitionKey = the customer's UserId, RowKey = inverted time + a random suffix (or, for a view
/// recorded once a day, <see cref="RecordDailyAsync"/>, the day's inverted start + what identifies it), so the customer's
/// (and the operator's) reading of one customer's log is a single partition query, newest first. Table AuditLogByViewer
/// holds the same rows under the viewer's UserId (a dealer's or an operator's), so the operator's search by dealer or
/// by operator is one partition query too. Written before the data is answered: a view that could not be recorded is
/// not shown.
/// </summary>
public sealed class AuditLog(StorageAccount storage)
{
    public const string TableName = "AuditLog";
    public const string ViewerIndexTableName = "AuditLogByViewer";
    public const int MaxListed = 500;

    private TableClient Table => storage.GetTableClient(TableName);

    private TableClient ViewerIndex => storage.GetTableClient(ViewerIndexTableName);

    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        WriteAsync(entry, InvertedTimeKey.For(entry.At), cancellationToken);

    /// <summary>
    /// A view the viewer repeats all day (the dealer list's pages, the monitoring screen's polls): one row per viewer, gateway
    /// and <paramref name="kind"/> per Japan day, the first view's, under a row key made of those (the day's start
    /// as its time), so a repeat is refused by the table itself (409) and costs one request, under any concurrency.
    /// </summary>
    public async Task RecordDailyAsync(AuditEntry entry, string kind, CancellationToken cancellationToken)
    {
        var rowKey = $"{InvertedTimeKey.Bound(JapanTime.StartOf(JapanTime.DateOf(entry.At)))}-{kind}-{entry.ViewerUserId}-{entry.GatewayId}";
        try
        {
            await WriteAsync(entry, rowKey, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already recorded today.
        }
    }

    /// <summary>The customer's row first: a crash before the viewer's copy loses only the operator's index of it.</summary>
    private async Task WriteAsync(AuditEntry entry, string rowKey, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(entry.CustomerUserId, rowKey)
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

        if (entry.Action is { } action)
        {
            entity["Action"] = action;
            entity["Reason"] = entry.Reason;
        }

        await Table.AddEntityAsync(entity, cancellationToken);
        entity.PartitionKey = entry.ViewerUserId;
        entity["CustomerUserId"] = entry.CustomerUserId;
        await ViewerIndex.AddEntityAsync(entity, cancellationToken);
    }

    /// <summary>One customer's log, newest first.</summary>
    public Task<IReadOnlyList<AuditEntry>> ListAsync(string customerUserId, CancellationToken cancellationToken) =>
        ListAsync(customerUserId, new AuditPeriod(null, null), cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ListAsync(string customerUserId, AuditPeriod period, CancellationToken cancellationToken) =>
        QueryAsync(Table, customerUserId, period, row => row.PartitionKey, cancellationToken);

    /// <summary>What one dealer's or operator's account saw or did, newest first.</summary>
    public Task<IReadOnlyList<AuditEntry>> ListByViewerAsync(string viewerUserId, AuditPeriod period, CancellationToken cancellationToken) =>
        QueryAsync(ViewerIndex, viewerUserId, period, row => row.GetString("CustomerUserId")!, cancellationToken);

    private static async Task<IReadOnlyList<AuditEntry>> QueryAsync(
        TableClient table, string partition, AuditPeriod period, Func<TableEntity, string> customerOf, CancellationToken cancellationToken)
    {
        // Newest first: the end of the period is the lower RowKey bound, its start the upper one.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        if (period.To is { } to)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey ge {InvertedTimeKey.Bound(to)}");
        }

        if (period.From is { } from)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey lt {InvertedTimeKey.Bound(from) + "."}");
        }

        var entries = new List<AuditEntry>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: MaxListed, cancellationToken: cancellationToken))
        {
            entries.Add(new AuditEntry(row.GetDateTimeOffset("At")!.Value, customerOf(row), row.GetString("ViewerUserId")!, row.GetInt32("DealerId"),
                row.GetString("GatewayId") ?? "", (row.GetString("Fields") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
                row.GetString("Action"), row.GetString("Reason")));
            if (entries.Count == MaxListed)
            {
                break;
            }
        }

        // A daily row's key holds its day's start, its At the first view's time: newest first by the time shown.
        return entries.OrderByDescending(entry => entry.At).ToList();
    }
}
