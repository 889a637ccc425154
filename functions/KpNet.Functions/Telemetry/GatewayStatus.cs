using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using KpNet.Json;

namespace KpNet.Telemetry;

/// <summary>One PCS unit in the latest status: run status and current fault codes (the monitoring API's units[]).</summary>
public sealed record UnitStatus(int UnitNo, string? Status, IReadOnlyList<string> Faults);

/// <summary>One PCS unit of the gateway's unit configuration (model and serial per unit number).</summary>
public sealed record UnitConfigurationEntry(int UnitNo, string? Model, string? Serial);

/// <summary>
/// The latest status of a gateway (table GatewayStatus, PartitionKey = gateway ID, RowKey "status"): the measurements of
/// the newest event seen (<see cref="EventOrder"/>), plus what outlives single events: when the gateway first
/// communicated (初回通信日時) and its PCS unit configuration.
/// </summary>
public sealed record GatewayStatus
{
    public required string GatewayId { get; init; }

    public required long Seq { get; init; }

    public required DateTimeOffset Ts { get; init; }

    /// <summary>The newest event's measured values (<see cref="Measurement.Column"/>s of the row).</summary>
    public Measurements Measurements { get; init; }

    public IReadOnlyList<UnitStatus> Units { get; init; } = [];

    public string? Model { get; init; }

    public string? Serial { get; init; }

    public string? Fw { get; init; }

    /// <summary>The earliest event time seen; only ever moves earlier.</summary>
    public required DateTimeOffset FirstCommunicatedAt { get; init; }

    public IReadOnlyList<UnitConfigurationEntry> UnitConfiguration { get; init; } = [];

    public ETag ETag { get; init; }
}

/// <summary>
/// The GatewayStatus table's row layout, in one place for the writer and the readers; the measurements' columns are
/// <see cref="Measurement.Column"/>.
/// </summary>
internal static class GatewayStatusEntity
{
    public const string TableName = "GatewayStatus";
    public const string RowKey = "status";

    /// <summary>The newest event's <see cref="EventOrder"/>: columns Ts, Boot and Seq.</summary>
    public const string StatusOrder = "";

    public const string UnitsJson = "UnitsJson";
    public const string Model = "Model";
    public const string Serial = "Serial";
    public const string Fw = "Fw";
    public const string FirstCommunicatedAt = "FirstCommunicatedAt";
    public const string UnitConfiguration = "UnitConfiguration";

    /// <summary>
    /// The <see cref="EventOrder"/> of the event the unit configuration came from (UnitConfigurationTs, …Boot, …Seq), so
    /// an older event never reverts it.
    /// </summary>
    public const string UnitConfigurationOrder = UnitConfiguration;

    public static GatewayStatus Read(TableEntity entity)
    {
        var order = EventOrder.Read(entity, StatusOrder);
        return new()
        {
            GatewayId = entity.PartitionKey,
            Seq = order?.Seq ?? -1,
            Ts = order?.Ts ?? default,
            Measurements = Measurements.ReadColumns(entity),
            Units = ReadUnits(entity.GetString(UnitsJson)),
            Model = entity.GetString(Model),
            Serial = entity.GetString(Serial),
            Fw = entity.GetString(Fw),
            FirstCommunicatedAt = entity.GetDateTimeOffset(FirstCommunicatedAt) ?? default,
            UnitConfiguration = ReadUnitConfiguration(entity.GetString(UnitConfiguration)),
            ETag = entity.ETag,
        };
    }

    public static string WriteUnits(IReadOnlyList<TelemetryUnit> units) => JsonText.Array(writer =>
    {
        foreach (var unit in units)
        {
            writer.WriteStartObject();
            writer.WriteNumber("unitNo", unit.No);
            writer.WriteString("status", unit.Status);
            writer.WriteStartArray("faults");
            foreach (var fault in unit.Faults)
            {
                writer.WriteStringValue(fault);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    });

    public static string WriteUnitConfiguration(IReadOnlyList<TelemetryUnit> units) => JsonText.Array(writer =>
    {
        foreach (var unit in units.OrderBy(u => u.No))
        {
            writer.WriteStartObject();
            writer.WriteNumber("unitNo", unit.No);
            writer.WriteString("model", unit.Model);
            writer.WriteString("serial", unit.Serial);
            writer.WriteEndObject();
        }
    });

    private static List<UnitStatus> ReadUnits(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(unit => new UnitStatus(
            unit.GetProperty("unitNo").GetInt32(),
            unit.GetProperty("status").GetString(),
            unit.GetProperty("faults").EnumerateArray().Select(f => f.GetString()!).ToArray())).ToList();
    }

    private static List<UnitConfigurationEntry> ReadUnitConfiguration(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(unit => new UnitConfigurationEntry(
            unit.GetProperty("unitNo").GetInt32(),
            unit.GetProperty("model").GetString(),
            unit.GetProperty("serial").GetString())).ToList();
    }
}

/// <summary>Reads the latest status of a gateway (for the monitoring API's GET /api/gateways/{id}/status).</summary>
public sealed class GatewayStatusStore(TelemetryStorage storage)
{
    /// <returns>Null before the gateway's first valid event.</returns>
    public async Task<GatewayStatus?> GetAsync(string gatewayId, CancellationToken cancellationToken = default)
    {
        if (!Inventory.GatewayId.IsValid(gatewayId))
        {
            return null;
        }

        var response = await (await storage.OfGatewayAsync(gatewayId, cancellationToken)).Status.GetEntityIfExistsAsync<TableEntity>(gatewayId, GatewayStatusEntity.RowKey, cancellationToken: cancellationToken);
        return response.HasValue ? GatewayStatusEntity.Read(response.Value!) : null;
    }
}
