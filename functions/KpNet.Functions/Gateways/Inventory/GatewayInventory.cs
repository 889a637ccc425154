using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Security;

namespace KpNet.Gateways.Inventory;

public sealed record InventoryImportResult(int Imported, int AlreadyPresent);

public sealed record InventoryGateway(string Id, string PasswordHash, string Model, string Serial, ProductLine Product);

/// <summary>
/// The gateways the factory shipped (table GatewayInventory, one row per gateway ID), with hashed passwords, and the
/// serial-number index the operator looks gateways up by (table GatewaySerials: PartitionKey = the serial in capitals,
/// RowKey = gateway ID).
/// </summary>
public sealed partial class GatewayInventory(StorageAccount storage, SecretHasher hasher, TimeProvider time, ILogger<GatewayInventory> logger)
{
    public const string TableName = "GatewayInventory";
    public const string SerialIndexTableName = "GatewaySerials";

    /// <summary>Rows read or written at once: an import of thousands of lines stays within the request deadline.</summary>
    private const int MaxConcurrentRows = 16;

    /// <summary>
    /// Adds the rows not yet in the inventory; an existing gateway is never overwritten (its claim may depend on it).
    /// Every row's serial is indexed, the present ones' too, so importing a file again fills the index of gateways
    /// imported before it existed and otherwise changes nothing.
    /// </summary>
    public async Task<InventoryImportResult> ImportAsync(IReadOnlyList<InventoryRow> rows, CancellationToken cancellationToken)
    {
        var table = storage.GetTableClient(TableName);
        var serials = storage.GetTableClient(SerialIndexTableName);
        int imported = 0, present = 0;
        await ForEachRowAsync(rows, async (row, ct) =>
        {
            await AddIgnoringConflictAsync(serials, new TableEntity(row.Serial.ToUpperInvariant(), row.Id), ct);
            if (await ExistsAsync(table, row.Id, ct))
            {
                Interlocked.Increment(ref present);
                return;
            }

            var entity = new TableEntity(row.Id, "")
            {
                ["PasswordHash"] = hasher.Hash(row.Password),
                ["Model"] = row.Model,
                ["Serial"] = row.Serial,
                ["Product"] = row.Product.ToString(),
                ["ImportedAt"] = time.GetUtcNow(),
            };
            if (await AddIgnoringConflictAsync(table, entity, ct))
            {
                Interlocked.Increment(ref imported);
            }
            else
            {
                Interlocked.Increment(ref present);
            }
        }, cancellationToken);

        LogImported(imported, present);
        return new InventoryImportResult(imported, present);
    }

    /// <summary>The IDs of <paramref name="rows"/> already in the inventory: what an import would leave as it is. Reads only.</summary>
    public async Task<IReadOnlySet<string>> PresentAsync(IReadOnlyList<InventoryRow> rows, CancellationToken cancellationToken)
    {
        var table = storage.GetTableClient(TableName);
        var present = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await ForEachRowAsync(rows, async (row, ct) =>
        {
            if (await ExistsAsync(table, row.Id, ct))
            {
                present[row.Id] = true;
            }
        }, cancellationToken);
        return present.Keys.ToHashSet(StringComparer.Ordinal);
    }

    public async Task<InventoryGateway?> FindAsync(string gatewayId, CancellationToken cancellationToken)
    {
        var row = (await storage.GetTableClient(TableName).GetEntityIfExistsAsync<TableEntity>(gatewayId, "", cancellationToken: cancellationToken)).ValueOrNull();
        return row is null
            ? null
            : new InventoryGateway(row.PartitionKey, row.GetString("PasswordHash")!, row.GetString("Model")!, row.GetString("Serial")!,
                Enum.Parse<ProductLine>(row.GetString("Product")!));
    }

    /// <summary>The gateway IDs shipped with this serial number (one partition of the index; case does not matter).</summary>
    public async Task<IReadOnlyList<string>> IdsWithSerialAsync(string serial, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {serial.ToUpperInvariant()}");
        await foreach (var row in storage.GetTableClient(SerialIndexTableName).QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            ids.Add(row.RowKey);
        }

        return ids;
    }

    private static Task ForEachRowAsync(IReadOnlyList<InventoryRow> rows, Func<InventoryRow, CancellationToken, ValueTask> body, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentRows, CancellationToken = cancellationToken }, body);

    private static async Task<bool> ExistsAsync(TableClient table, string gatewayId, CancellationToken cancellationToken) =>
        (await table.GetEntityIfExistsAsync<TableEntity>(gatewayId, "", ["PartitionKey"], cancellationToken)).HasValue;

    private static async Task<bool> AddIgnoringConflictAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 3000, EventName = "InventoryImported", Level = LogLevel.Information, Message = "Gateway inventory import: {Imported} added, {AlreadyPresent} already present")]
    private partial void LogImported(int imported, int alreadyPresent);
}
