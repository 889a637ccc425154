using System.Globalization;
using Azure;
using Azure.Data.Tables;
using KpNet.Hosting;

namespace KpNet.Access;

public sealed record RegistrationExpiry(string Hour, string GatewayId);

/// <summary>
/// Table RegistrationExpiries: PartitionKey = the claim's expiry hour (yyyyMMddHH, UTC), RowKey = gateway ID. Written
/// before a gateway is claimed, so even a registration that crashes right after claiming is found and released. Rows
/// only exist for registrations still pending, so the sweep's range query over past hours stays small.
/// </summary>
public sealed class RegistrationExpiries(StorageAccount storage)
{
    public const string TableName = "RegistrationExpiries";

    private TableClient Table => storage.GetTableClient(TableName);

    public static string HourOf(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    public async Task AddAsync(string gatewayId, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        await Table.UpsertEntityAsync(new TableEntity(HourOf(expiresAt), gatewayId), TableUpdateMode.Replace, cancellationToken);

    /// <summary>Every row whose hour has begun by <paramref name="now"/> (the current hour's rows may not be due yet).</summary>
    public async Task<IReadOnlyList<RegistrationExpiry>> DueByAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = new List<RegistrationExpiry>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {HourOf(now)}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            due.Add(new RegistrationExpiry(row.PartitionKey, row.RowKey));
        }

        return due;
    }

    public async Task RemoveAsync(RegistrationExpiry expiry, CancellationToken cancellationToken) =>
        await Table.DeleteEntityAsync(expiry.Hour, expiry.GatewayId, ETag.All, cancellationToken);
}
