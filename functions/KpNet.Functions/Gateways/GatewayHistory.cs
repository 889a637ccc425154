using System.Globalization;
using Azure.Data.Tables;
using KpNet.Hosting;

namespace KpNet.Gateways;

public enum GatewayEventKind
{
    /// <summary>Added to an account as a second or later gateway (the first one's registration is its claim's ClaimedAt).</summary>
    Added,

    /// <summary>This gateway took over the site of <see cref="GatewayEvent.OtherGatewayId"/>.</summary>
    Replacing,

    /// <summary>This gateway was retired, replaced by <see cref="GatewayEvent.OtherGatewayId"/>.</summary>
    ReplacedBy,

    Disposed,
    DealerLinked,
    DealerUnlinked,
}

public sealed record GatewayEvent(string GatewayId, GatewayEventKind Kind, DateTimeOffset At, string ActorUserId, string? OtherGatewayId = null, int? DealerId = null);

/// <summary>
/// Table GatewayHistory: PartitionKey = gateway ID, RowKey = inverted time + a random suffix, so one partition query
/// reads a gateway's events newest first. Kept after replacement and disposal, for the operator.
/// </summary>
public sealed class GatewayHistory(StorageAccount storage)
{
    public const string TableName = "GatewayHistory";

    private TableClient Table => storage.GetTableClient(TableName);

    public async Task RecordAsync(GatewayEvent e, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(e.GatewayId, InvertedTimeKey.For(e.At))
        {
            ["Kind"] = e.Kind.ToString(),
            ["At"] = e.At,
            ["ActorUserId"] = e.ActorUserId,
        };
        if (e.OtherGatewayId is { } other)
        {
            entity["OtherGatewayId"] = other;
        }

        if (e.DealerId is { } dealerId)
        {
            entity["DealerId"] = dealerId;
        }

        await Table.AddEntityAsync(entity, cancellationToken);
    }

    public async Task<IReadOnlyList<GatewayEvent>> ListAsync(string gatewayId, CancellationToken cancellationToken)
    {
        var events = new List<GatewayEvent>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {gatewayId}"), cancellationToken: cancellationToken))
        {
            events.Add(new GatewayEvent(row.PartitionKey, Enum.Parse<GatewayEventKind>(row.GetString("Kind")!), row.GetDateTimeOffset("At")!.Value,
                row.GetString("ActorUserId")!, row.GetString("OtherGatewayId"), row.GetInt32("DealerId")));
        }

        return events;
    }
}
