using KpNet.Azure.Storage.Tables;
using KpNet.Gateways.Inventory;
using KpNet.Hosting;
using KpNet.Telemetry.Alerts;

namespace KpNet.Telemetry;

/// <summary>
/// The tables telemetry ingestion reads and writes, created on first use (so handlers resolve without storage settings).
/// Built from a client factory so tests can wrap a client, e.g. to count the writes.
/// </summary>
public sealed class TelemetryTables
{
    private readonly Lazy<TableClient> _status;
    private readonly Lazy<TableClient> _deadLetters;
    private readonly Lazy<TableClient> _inventory;
    private readonly Lazy<TableClient> _rollups;
    private readonly Lazy<TableClient> _alerts;
    private readonly Lazy<TableClient> _lastSeen;

    public TelemetryTables(Func<string, TableClient> tableClient)
    {
        _status = new(() => tableClient(GatewayStatusEntity.TableName));
        _deadLetters = new(() => tableClient(TelemetryDeadLetters.TableName));
        _inventory = new(() => tableClient(GatewayInventory.TableName));
        _rollups = new(() => tableClient(TelemetryRollups.TableName));
        _alerts = new(() => tableClient(AlertStore.TableName));
        _lastSeen = new(() => tableClient(GatewayLastSeen.TableName));
    }

    public TableClient Status => _status.Value;

    public TableClient DeadLetters => _deadLetters.Value;

    public TableClient Inventory => _inventory.Value;

    public TableClient Rollups => _rollups.Value;

    public TableClient Alerts => _alerts.Value;

    public TableClient LastSeen => _lastSeen.Value;

    public static TelemetryTables From(StorageAccount storage) => new(name => storage.GetTableClient(name));
}
