using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Security;

namespace KpNet.Inventory;

/// <summary>An import's outcome; <see cref="Conflicting"/>: rows whose gateway ID is in the inventory with other data, refused.</summary>
public sealed record InventoryImportResult(int Imported, int AlreadyPresent, IReadOnlyList<InventoryRow> Conflicting);

/// <summary>What an import would do: the rows' IDs present with the same data (left as they are), and the rows it would refuse.</summary>
public sealed record InventoryCheck(IReadOnlySet<string> Present, IReadOnlyList<InventoryRow> Conflicting);

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
    /// A row whose ID is present with the same data (password, model, serial, product) is left as it is, so importing a
    /// file again changes nothing; one with other data is refused (<see cref="InventoryImportResult.Conflicting"/>): the
    /// same ID twice in a file sent in parts, or a factory mistake, is not silently counted as present. Every new or
    /// same row's serial is indexed, so importing a file again also fills the index of gateways imported before it existed.
    /// Comparing the password verifies it against the stored hash: a row sent again costs what its first import did.
    /// </summary>
    public async Task<InventoryImportResult> ImportAsync(IReadOnlyList<InventoryRow> rows, CancellationToken cancellationToken)
    {
        var table = storage.GetTableClient(TableName);
        var serials = storage.GetTableClient(SerialIndexTableName);
        int imported = 0, present = 0;
        var conflicting = new ConcurrentBag<InventoryRow>();
        await ForEachRowAsync(rows, async (row, ct) =>
        {
            if (await FindRowAsync(table, row.Id, ct) is { } stored)
            {
                if (!SameAs(stored, row, comparePassword: true))
                {
                    conflicting.Add(row);
                    return;
                }

                await AddIgnoringConflictAsync(serials, new TableEntity(row.Serial.ToUpperInvariant(), row.Id), ct);
                Interlocked.Increment(ref present);
                return;
            }

            await AddIgnoringConflictAsync(serials, new TableEntity(row.Serial.ToUpperInvariant(), row.Id), ct);

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

        LogImported(imported, present, conflicting.Count);
        return new InventoryImportResult(imported, present, conflicting.OrderBy(row => row.Line).ToList());
    }

    /// <summary>
    /// What an import of <paramref name="rows"/> would do, reading only. The password is not compared here (a whole file is
    /// checked in one request, and verifying a hash costs what making it did): a row that differs only in it is refused by the import.
    /// </summary>
    public async Task<InventoryCheck> CheckAsync(IReadOnlyList<InventoryRow> rows, CancellationToken cancellationToken)
    {
        var table = storage.GetTableClient(TableName);
        var present = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var conflicting = new ConcurrentBag<InventoryRow>();
        await ForEachRowAsync(rows, async (row, ct) =>
        {
            if (await FindRowAsync(table, row.Id, ct) is { } stored)
            {
                if (SameAs(stored, row, comparePassword: false))
                {
                    present[row.Id] = true;
                }
                else
                {
                    conflicting.Add(row);
                }
            }
        }, cancellationToken);
        return new InventoryCheck(present.Keys.ToHashSet(StringComparer.Ordinal), conflicting.OrderBy(row => row.Line).ToList());
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

    private static async Task<TableEntity?> FindRowAsync(TableClient table, string gatewayId, CancellationToken cancellationToken) =>
        (await table.GetEntityIfExistsAsync<TableEntity>(gatewayId, "", ["PasswordHash", "Model", "Serial", "Product"], cancellationToken)).ValueOrNull();

    private bool SameAs(TableEntity stored, InventoryRow row, bool comparePassword) =>
        stored.GetString("Model") == row.Model
        && stored.GetString("Serial") == row.Serial
        && stored.GetString("Product") == row.Product.ToString()
        && (!comparePassword || hasher.Verify(stored.GetString("PasswordHash") ?? "", row.Password) != SecretVerification.Invalid);

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

    [LoggerMessage(EventId = 3000, EventName = "InventoryImported", Level = LogLevel.Information, Message = "Gateway inventory import: {Imported} added, {AlreadyPresent} already present, {Conflicting} refused as present with other data")]
    private partial void LogImported(int imported, int alreadyPresent, int conflicting);
}
