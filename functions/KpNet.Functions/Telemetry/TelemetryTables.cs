using Azure.Data.Tables;
using KpNet.Gateways.Inventory;
using KpNet.Hosting;
using KpNet.Telemetry.Alerts;

namespace KpNet.Telemetry;

/// <summary>The tables telemetry ingestion reads and writes, created on first use (so handlers resolve without storage settings).</summary>
public sealed class TelemetryTables(StorageAccount storage)
{
    private readonly Lazy<TableClient> _status = new(() => storage.GetTableClient(GatewayStatusEntity.TableName));
    private readonly Lazy<TableClient> _deadLetters = new(() => storage.GetTableClient(TelemetryDeadLetters.TableName));
    private readonly Lazy<TableClient> _inventory = new(() => storage.GetTableClient(GatewayInventory.TableName));
    private readonly Lazy<TableClient> _rollups = new(() => storage.GetTableClient(TelemetryRollups.TableName));
    private readonly Lazy<TableClient> _alerts = new(() => storage.GetTableClient(AlertStore.TableName));
    private readonly Lazy<TableClient> _lastSeen = new(() => storage.GetTableClient(GatewayLastSeen.TableName));

    public TableClient Status => _status.Value;

    public TableClient DeadLetters => _deadLetters.Value;

    public TableClient Inventory => _inventory.Value;

    public TableClient Rollups => _rollups.Value;

    public TableClient Alerts => _alerts.Value;

    public TableClient LastSeen => _lastSeen.Value;
}
