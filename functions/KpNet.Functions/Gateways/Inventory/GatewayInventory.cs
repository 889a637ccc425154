using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Security;

namespace KpNet.Gateways.Inventory;

public sealed record InventoryImportResult(int Imported, int AlreadyPresent);

public sealed record InventoryGateway(string Id, string PasswordHash, string Model, string Serial, ProductLine Product);

/// <summary>The gateways the factory shipped (table GatewayInventory, one row per gateway ID), with hashed passwords.</summary>
public sealed partial class GatewayInventory(StorageAccount storage, SecretHasher hasher, TimeProvider time, ILogger<GatewayInventory> logger)
{
    public const string TableName = "GatewayInventory";

    /// <summary>Adds the rows not yet in the inventory; an existing gateway is never overwritten (its claim may depend on it).</summary>
    public async Task<InventoryImportResult> ImportAsync(IReadOnlyList<InventoryRow> rows, CancellationToken cancellationToken)
    {
        var table = storage.GetTableClient(TableName);
        int imported = 0, present = 0;
        foreach (var row in rows)
        {
            if ((await table.GetEntityIfExistsAsync<TableEntity>(row.Id, "", ["PartitionKey"], cancellationToken)).HasValue)
            {
                present++;
                continue;
            }

            var entity = new TableEntity(row.Id, "")
            {
                ["PasswordHash"] = hasher.Hash(row.Password),
                ["Model"] = row.Model,
                ["Serial"] = row.Serial,
                ["Product"] = row.Product.ToString(),
                ["ImportedAt"] = time.GetUtcNow(),
            };
            try
            {
                await table.AddEntityAsync(entity, cancellationToken);
                imported++;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                present++;
            }
        }

        LogImported(imported, present);
        return new InventoryImportResult(imported, present);
    }

    public async Task<InventoryGateway?> FindAsync(string gatewayId, CancellationToken cancellationToken)
    {
        var row = (await storage.GetTableClient(TableName).GetEntityIfExistsAsync<TableEntity>(gatewayId, "", cancellationToken: cancellationToken)).ValueOrNull();
        return row is null
            ? null
            : new InventoryGateway(row.PartitionKey, row.GetString("PasswordHash")!, row.GetString("Model")!, row.GetString("Serial")!,
                Enum.Parse<ProductLine>(row.GetString("Product")!));
    }

    [LoggerMessage(EventId = 3000, EventName = "InventoryImported", Level = LogLevel.Information, Message = "Gateway inventory import: {Imported} added, {AlreadyPresent} already present")]
    private partial void LogImported(int imported, int alreadyPresent);
}
