using Azure.Data.Tables;
using KpNet.Hosting;
using KpNet.Telemetry.Alerts;

namespace KpNet.Telemetry;

/// <summary>
/// The per-gateway telemetry tables of one telemetry storage account (shard <see cref="Index"/>, see
/// <see cref="TelemetryStorage"/>): what the hot path writes. Clients are made on first use.
/// </summary>
public sealed class TelemetryTables(StorageAccount storage, int index, string connection)
{
    /// <summary>The tables every shard holds; the infrastructure creates them in each telemetry account.</summary>
    public static readonly IReadOnlyList<string> Names =
        [GatewayStatusEntity.TableName, TelemetryRollups.TableName, TelemetryDeadLetters.TableName, AlertStore.TableName, GatewayLastSeen.TableName];

    public int Index { get; } = index;

    /// <summary>The connection's configuration key ("TelemetryStorage:Shards:0").</summary>
    public string Connection { get; } = connection;

    public TableClient Status => Table(GatewayStatusEntity.TableName);

    public TableClient DeadLetters => Table(TelemetryDeadLetters.TableName);

    public TableClient Rollups => Table(TelemetryRollups.TableName);

    public TableClient Alerts => Table(AlertStore.TableName);

    public TableClient LastSeen => Table(GatewayLastSeen.TableName);

    /// <summary>One of <see cref="Names"/> in this shard.</summary>
    public TableClient Table(string name) => storage.GetTableClient(name, Connection);
}
