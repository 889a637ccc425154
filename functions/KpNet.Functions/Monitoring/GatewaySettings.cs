using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;

namespace KpNet.Monitoring;

/// <summary>The operating settings a customer or dealer wants the gateway to run with.</summary>
public sealed record DesiredSettings(string OperationMode, int BatteryReservePercent, string? EvChargeStart, string? EvChargeEnd)
{
    public static readonly IReadOnlyList<string> OperationModes = ["self-consumption", "economy", "backup"];

    /// <summary>What a gateway runs with before anyone changes it.</summary>
    public static readonly DesiredSettings Default = new("self-consumption", 30, null, null);
}

/// <summary>Desired settings with their version (0 = never changed), and what the gateway last reported it applied.</summary>
/// <summary>The EV charging window as the API shows it: both ends, or none.</summary>
public sealed record EvChargeWindowView(string Start, string End)
{
    public static EvChargeWindowView? Of(DesiredSettings desired) =>
        desired is { EvChargeStart: { } start, EvChargeEnd: { } end } ? new EvChargeWindowView(start, end) : null;
}

public sealed record SettingsRecord(DesiredSettings Desired, int Version, DateTimeOffset? UpdatedAt, int? AppliedVersion, DateTimeOffset? AppliedAt, ETag ETag);

/// <summary>
/// Table GatewaySettings: PartitionKey = gateway ID, RowKey "settings". Each change bumps Version under the row's ETag,
/// so two editors never both get the same version; the gateway reports the version it applied, which only moves forward.
/// </summary>
public sealed class GatewaySettingsStore(StorageAccount storage)
{
    public const string TableName = "GatewaySettings";
    private const string RowKey = "settings";

    private TableClient Table => storage.GetTableClient(TableName);

    public async Task<SettingsRecord> GetAsync(string gatewayId, CancellationToken cancellationToken)
    {
        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(gatewayId, RowKey, cancellationToken: cancellationToken)).ValueOrNull();
        if (row is null)
        {
            return new SettingsRecord(DesiredSettings.Default, 0, null, null, null, default);
        }

        var desired = new DesiredSettings(
            row.GetString("OperationMode") ?? DesiredSettings.Default.OperationMode,
            row.GetInt32("BatteryReservePercent") ?? DesiredSettings.Default.BatteryReservePercent,
            row.GetString("EvChargeStart"),
            row.GetString("EvChargeEnd"));
        return new SettingsRecord(desired, row.GetInt32("Version") ?? 0, row.GetDateTimeOffset("UpdatedAt"),
            row.GetInt32("AppliedVersion"), row.GetDateTimeOffset("AppliedAt"), row.ETag);
    }

    /// <param name="expectedVersion">When given, the change is refused (null) unless the stored version is still this one.</param>
    public Task<SettingsRecord?> SetAsync(string gatewayId, DesiredSettings desired, int? expectedVersion, DateTimeOffset now, CancellationToken cancellationToken) =>
        ConflictRetry.RunAsync<SettingsRecord?>(
            async _ =>
            {
                var current = await GetAsync(gatewayId, cancellationToken);
                if (expectedVersion is { } expected && expected != current.Version)
                {
                    return null;
                }

                var updated = current with { Desired = desired, Version = current.Version + 1, UpdatedAt = now };
                await WriteAsync(gatewayId, updated, current.ETag, cancellationToken);
                return updated;
            },
            cancellationToken);

    /// <returns>False when <paramref name="version"/> was never handed out.</returns>
    public Task<bool> RecordAppliedAsync(string gatewayId, int version, DateTimeOffset now, CancellationToken cancellationToken) =>
        ConflictRetry.RunAsync(
            async _ =>
            {
                var current = await GetAsync(gatewayId, cancellationToken);
                if (version > current.Version || version < 0)
                {
                    return false;
                }

                if (current.AppliedVersion >= version)
                {
                    return true;
                }

                await WriteAsync(gatewayId, current with { AppliedVersion = version, AppliedAt = now }, current.ETag, cancellationToken);
                return true;
            },
            cancellationToken);

    private async Task WriteAsync(string gatewayId, SettingsRecord record, ETag etag, CancellationToken cancellationToken)
    {
        var row = new TableEntity(gatewayId, RowKey)
        {
            ["OperationMode"] = record.Desired.OperationMode,
            ["BatteryReservePercent"] = record.Desired.BatteryReservePercent,
            ["Version"] = record.Version,
        };
        Set(row, "EvChargeStart", record.Desired.EvChargeStart);
        Set(row, "EvChargeEnd", record.Desired.EvChargeEnd);
        Set(row, "UpdatedAt", record.UpdatedAt);
        Set(row, "AppliedVersion", record.AppliedVersion);
        Set(row, "AppliedAt", record.AppliedAt);
        if (etag == default)
        {
            await Table.AddEntityAsync(row, cancellationToken);
        }
        else
        {
            await Table.UpdateEntityAsync(row, etag, TableUpdateMode.Replace, cancellationToken);
        }
    }

    private static void Set(TableEntity row, string name, object? value)
    {
        if (value is not null)
        {
            row[name] = value;
        }
    }
}
