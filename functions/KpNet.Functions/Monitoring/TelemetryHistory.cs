using System.Globalization;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using KpNet.Azure.Storage.Tables;
using KpNet.Telemetry;

namespace KpNet.Monitoring;

/// <summary>
/// One point of a history series: the energies (kWh) of the interval starting at <see cref="Ts"/>, and for 5-minute
/// points the average power of each flow (W, signs as in the telemetry) and the average states of charge (%).
/// </summary>
public sealed record HistoryPoint(
    DateTimeOffset Ts,
    double PvGeneratedKWh, double ConsumedKWh, double BoughtKWh, double SoldKWh,
    double BatteryChargedKWh, double BatteryDischargedKWh, double EvChargedKWh, double EvDischargedKWh)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PvW { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BatteryW { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? EvW { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? GridW { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? LoadW { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BatterySoc { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? EvSoc { get; init; }
}

public sealed record HistoryView(string Resolution, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<HistoryPoint> Points);

/// <summary>Reads a series from TelemetryRollups: one single-partition range query over the resolution's row keys.</summary>
public sealed class TelemetryHistory(TelemetryStorage storage)
{
    public async Task<HistoryView> ReadAsync(string gatewayId, HistoryQuery query, CancellationToken cancellationToken)
    {
        var last = query.To.AddTicks(-1);
        var (fromKey, toKey) = query.Resolution switch
        {
            HistoryResolution.FiveMinutes => (TelemetryRollups.FiveMinuteKey(query.From), TelemetryRollups.FiveMinuteKey(last)),
            HistoryResolution.Hour => (TelemetryRollups.HourKey(query.From), TelemetryRollups.HourKey(last)),
            _ => (TelemetryRollups.DayKey(query.From), TelemetryRollups.DayKey(last)),
        };
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {gatewayId} and RowKey ge {fromKey} and RowKey le {toKey}");
        var points = new List<HistoryPoint>();
        var rollups = (await storage.OfGatewayAsync(gatewayId, cancellationToken)).Rollups;
        await foreach (var row in rollups.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            points.Add(Point(row, query.Resolution));
            if (points.Count >= HistoryQuery.MaxPoints)
            {
                break;
            }
        }

        return new HistoryView(query.Name, query.From, query.To, points);
    }

    private static HistoryPoint Point(TableEntity row, HistoryResolution resolution)
    {
        double Energy(string name) => row.GetNumber(name) ?? 0;
        var point = new HistoryPoint(
            Start(row.RowKey, resolution),
            Energy("PvGeneratedKWh"), Energy("ConsumedKWh"), Energy("BoughtKWh"), Energy("SoldKWh"),
            Energy("BatteryChargedKWh"), Energy("BatteryDischargedKWh"), Energy("EvChargedKWh"), Energy("EvDischargedKWh"));
        return resolution != HistoryResolution.FiveMinutes ? point : point with
        {
            PvW = row.GetNumber("PvAvgW"),
            BatteryW = row.GetNumber("BatteryAvgW"),
            EvW = row.GetNumber("EvAvgW"),
            GridW = row.GetNumber("GridAvgW"),
            LoadW = row.GetNumber("LoadAvgW"),
            BatterySoc = row.GetNumber("BatterySocAvg"),
            EvSoc = row.GetNumber("EvSocAvg"),
        };
    }

    /// <summary>The interval's start from its row key: 5m and 1h keys are UTC, 1d keys are days in Japan.</summary>
    private static DateTimeOffset Start(string rowKey, HistoryResolution resolution)
    {
        var digits = rowKey[3..];
        return resolution switch
        {
            HistoryResolution.FiveMinutes => DateTimeOffset.ParseExact(digits, "yyyyMMddHHmm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            HistoryResolution.Hour => DateTimeOffset.ParseExact(digits, "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            _ => JapanTime.StartOf(DateOnly.ParseExact(digits, "yyyyMMdd", CultureInfo.InvariantCulture)).ToUniversalTime(),
        };
    }
}
