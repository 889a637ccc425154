using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace KpNet.Telemetry.Alerts;

/// <summary>
/// Table GatewayLastSeen: PartitionKey = the 5-minute bucket ("yyyyMMddHHmm", UTC start) in which the gateway was last
/// seen, RowKey = gateway ID. A gateway's row moves at most once per bucket (the move is recorded in its alert summary),
/// so with a million gateways the index costs a few thousand writes a second at most, and the offline sweep reads only
/// the buckets old enough to be silent — never the statuses of every gateway. The sweep deletes the rows it handled,
/// so what it reads is what it has to do. Each gateway's row is in its telemetry shard; the sweep reads every shard.
/// </summary>
public sealed class GatewayLastSeen(TelemetryStorage storage)
{
    public const string TableName = "GatewayLastSeen";
    public static readonly TimeSpan BucketLength = TimeSpan.FromMinutes(5);

    public static string BucketOf(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks - (instant.UtcTicks % BucketLength.Ticks);
        return new DateTime(ticks, DateTimeKind.Utc).ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
    }

    public async Task AddAsync(string bucket, string gatewayId, CancellationToken cancellationToken) =>
        await (await storage.OfGatewayAsync(gatewayId, cancellationToken)).LastSeen.UpsertEntityAsync(new TableEntity(bucket, gatewayId), TableUpdateMode.Replace, cancellationToken);

    public async Task RemoveAsync(string bucket, string gatewayId, CancellationToken cancellationToken) =>
        await (await storage.OfGatewayAsync(gatewayId, cancellationToken)).LastSeen.DeleteEntityAsync(bucket, gatewayId, ETag.All, cancellationToken);

    /// <summary>Every (bucket, gateway) whose bucket ended at or before <paramref name="silentSince"/>: a range over PartitionKey, shard after shard.</summary>
    public async IAsyncEnumerable<(string Bucket, string GatewayId)> SilentSinceAsync(
        DateTimeOffset silentSince, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lastBucket = BucketOf(silentSince - BucketLength);
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {lastBucket}");
        foreach (var shard in storage.Shards)
        {
            await foreach (var row in shard.LastSeen.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                yield return (row.PartitionKey, row.RowKey);
            }
        }
    }
}
