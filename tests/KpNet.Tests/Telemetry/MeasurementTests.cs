using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using KpNet.Telemetry;

namespace KpNet.Tests.Telemetry;

/// <summary>
/// The measurement table (<see cref="Measurement"/>) is the one declaration of a measured value: each one is read from its
/// JSON path by both parsers, range-checked, kept in the event and written to and read from its status column. These tests
/// go over the whole table, so a measurement added there is covered by them as it is.
/// </summary>
public sealed class MeasurementTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Every_measurement_is_read_from_its_path_by_both_parsers_and_kept_in_its_status_column()
    {
        var values = Measurement.All.ToDictionary(m => m, InsideRange);
        var json = Event(values.Select(v => (v.Key, Json(v.Key, v.Value))));
        var (fast, slow) = Parsers();

        var viaFastPath = fast.Parse(json).Event!;
        var viaReader = slow.Parse(json).Event!;
        Assert.Equal(1, fast.FastPathEvents);
        Assert.All(Measurement.All, m => Assert.Equal((values[m], values[m]), (viaFastPath.Measurements[m], viaReader.Measurements[m])));

        var row = Status(viaFastPath, stored: null);
        Assert.All(Measurement.All, m => Assert.Equal(m.IsFlag ? values[m] != 0 : values[m], row[m.Column]));
        Assert.Equal(viaFastPath.Measurements, GatewayStatusEntity.Read(row).Measurements);
    }

    [Fact]
    public void A_measurement_outside_its_range_or_of_the_wrong_type_is_refused_naming_its_path()
    {
        foreach (var measurement in Measurement.All)
        {
            var (value, reason) = measurement.IsFlag
                ? ("1", TelemetryRejectionReason.WrongType)
                : ((measurement.Max + 1).ToString(CultureInfo.InvariantCulture), TelemetryRejectionReason.OutOfRange);
            var (fast, _) = Parsers();

            var result = fast.Parse(Event([(measurement, value)]));

            Assert.Equal(new TelemetryRejection(reason, measurement.Path), result.Rejection);
        }
    }

    [Fact]
    public void A_newer_event_without_a_measurement_removes_its_status_column_rather_than_keep_a_stale_value()
    {
        var (parser, _) = Parsers();
        var full = parser.Parse(Event(Measurement.All.Select(m => (m, Json(m, InsideRange(m)))))).Event!;
        var stored = Status(full, stored: null);
        stored.ETag = new global::Azure.ETag("W/\"1\"");
        var bare = parser.Parse(Encoding.UTF8.GetBytes($$"""{"v":1,"gatewayId":"GW00009005PV","seq":2,"ts":"{{Now.AddMinutes(-1):yyyy-MM-ddTHH:mm:ssZ}}"}""")).Event!;

        var row = Status(bare, stored);

        Assert.All(Measurement.All, m => Assert.False(row.ContainsKey(m.Column), m.Column));
        Assert.True(GatewayStatusEntity.Read(row).Measurements.IsEmpty);
    }

    [Fact]
    public void Paths_status_columns_and_rollup_columns_are_each_used_once()
    {
        Assert.Equal(Measurement.All.Length, Measurement.All.Select(m => m.Path).Distinct().Count());
        Assert.Equal(Measurement.All.Length, Measurement.All.Select(m => m.Column).Distinct().Count());
        var rollupColumns = Measurement.All
            .SelectMany(m => new[] { m.PositiveSumColumn, m.NegativeSumColumn, m.SamplesColumn, m.AverageColumn, m.PositiveEnergy, m.NegativeEnergy })
            .OfType<string>().ToList();
        Assert.Equal(rollupColumns.Count, rollupColumns.Distinct().Count());
        Assert.All(Measurement.All.Where(m => m.Rollup == MeasurementRollup.Flow), m => Assert.NotNull(m.PositiveEnergy));
    }

    /// <summary>A value well inside the measurement's range, different for each (1 for a flag).</summary>
    private static double InsideRange(Measurement measurement) =>
        measurement.IsFlag ? 1 : Math.Round(measurement.Min + ((measurement.Max - measurement.Min) * (measurement.Slot + 1) / (Measurement.All.Length + 2)), 1);

    private static string Json(Measurement measurement, double value) =>
        measurement.IsFlag ? (value != 0 ? "true" : "false") : value.ToString(CultureInfo.InvariantCulture);

    private static byte[] Event(IEnumerable<(Measurement Measurement, string Json)> values)
    {
        var blocks = values.GroupBy(v => v.Measurement.Block)
            .Select(block => $"\"{block.Key}\":{{{string.Join(',', block.Select(v => $"\"{v.Measurement.Name}\":{v.Json}"))}}}");
        return Encoding.UTF8.GetBytes(
            $$"""{"v":1,"gatewayId":"GW00009005PV","seq":1,"ts":"{{Now.AddMinutes(-2):yyyy-MM-ddTHH:mm:ssZ}}",{{string.Join(',', blocks)}}}""");
    }

    private static TableEntity Status(TelemetryEvent telemetryEvent, TableEntity? stored)
    {
        var batch = new GatewayBatch(telemetryEvent.GatewayId);
        batch.Add(telemetryEvent, 0);
        return GatewayStatusWriter.Merge(batch, stored)!;
    }

    private static (TelemetryParser Fast, TelemetryParser Slow) Parsers() =>
        (new TelemetryParser(new FixedTime(Now)), new TelemetryParser(new FixedTime(Now)) { UseFastPath = false });
}
