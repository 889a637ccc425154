using System.Globalization;
using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;

namespace KpNet.Telemetry.Alerts;

/// <summary>
/// Table GatewayLastSeen: PartitionKey = the 5-minute bucket ("yyyyMMddHHmm", UTC start) in which the gateway was last
/// seen, RowKey = gateway ID. A gateway's row moves at most once per bucket (the move is recorded in its alert summary),
/// so with a million gateways the index costs a few thousand writes a second at most, and the offline sweep reads only
/// the buckets old enough to be silent — never the statuses of every gateway. The sweep deletes the rows it handled,
/// so what it reads is what it has to do.
/// </summary>
public sealed class GatewayLastSeen(TelemetryTables tables)
{
    public const string TableName = "GatewayLastSeen";
    public static readonly TimeSpan BucketLength = TimeSpan.FromMinutes(5);

    private TableClient Table => tables.LastSeen;

    public static string BucketOf(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks - (instant.UtcTicks % BucketLength.Ticks);
        return new DateTime(ticks, DateTimeKind.Utc).ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
    }

    public async Task AddAsync(string bucket, string gatewayId, CancellationToken cancellationToken) =>
        await Table.UpsertEntityAsync(new TableEntity(bucket, gatewayId), TableUpdateMode.Replace, cancellationToken);

    public async Task RemoveAsync(string bucket, string gatewayId, CancellationToken cancellationToken) =>
        await Table.DeleteEntityAsync(bucket, gatewayId, ETag.All, cancellationToken);

    /// <summary>Every (bucket, gateway) whose bucket ended at or before <paramref name="silentSince"/>: a range over PartitionKey.</summary>
    public async IAsyncEnumerable<(string Bucket, string GatewayId)> SilentSinceAsync(
        DateTimeOffset silentSince, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lastBucket = BucketOf(silentSince - BucketLength);
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {lastBucket}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            yield return (row.PartitionKey, row.RowKey);
        }
    }
}
