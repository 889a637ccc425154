using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KpNet.Hosting.Invocation;
using KpNet.Simulator;
using KpNet.Telemetry;
using KpNet.Telemetry.Alerts;

namespace KpNet.Bench;

/// <summary>
/// telemetry-parse: what the ingest function does before storage (parse + validate every event, coalesce per gateway,
/// evaluate the alert rules on each gateway's newest event), single-threaded (so events/s is per core), against a naive baseline over the same batches: JsonSerializer into a
/// DTO per event, the same validation, one upsert entity per event.
/// </summary>
public static partial class TelemetryParseBench
{
    public static int Run(string[] args)
    {
        var gatewayCount = int.Parse(BenchSupport.Option(args, "--gateways") ?? "250", CultureInfo.InvariantCulture);
        var rounds = int.Parse(BenchSupport.Option(args, "--rounds") ?? "400", CultureInfo.InvariantCulture);
        var batchSize = int.Parse(BenchSupport.Option(args, "--batch") ?? "1000", CultureInfo.InvariantCulture);
        var batches = GenerateBatches(gatewayCount, rounds, batchSize);
        var eventCount = batches.Sum(b => b.Count);
        var averageBytes = batches.SelectMany(b => b).Average(e => e.Body.Length);
        Console.WriteLine($"telemetry-parse: {eventCount:N0} simulated events ({averageBytes:F0} bytes each on average) from {gatewayCount:N0} gateways in batches of {batchSize:N0}, one thread");

        var ours = Measurement.Run("ours (fast path + GatewayBatch + rules)", () => Ours(batches));
        var naive = Measurement.Run("naive (JsonSerializer DTO + rules + per-event upsert)", () => Naive(batches));
        foreach (var m in new[] { ours, naive })
        {
            Console.WriteLine($"  {m.Name,-54} {m.ItemsPerSecond,12:N0} events/s (wall)  {m.ItemsPerCpuSecond,12:N0} events/CPU-s (best iteration {m.BestItemsPerCpuSecond:N0})  {m.NanosecondsPerItem,8:N0} ns/event  {m.BytesPerItem,8:N0} B/event");
        }

        Console.WriteLine($"  fast path took {_fastPathEvents:N0} of {eventCount:N0} events (the rest went through Utf8JsonReader)");
        Console.WriteLine($"  ratio ours/naive: {ours.ItemsPerSecond / naive.ItemsPerSecond:F1}x events/s, {ours.ItemsPerCpuSecond / naive.ItemsPerCpuSecond:F1}x events/CPU-s, {naive.BytesPerItem / ours.BytesPerItem:F1}x fewer bytes allocated");
        return 0;
    }

    public static List<List<EventData>> GenerateBatches(int gatewayCount, int rounds, int batchSize, TimeSpan? interval = null)
    {
        var step = interval ?? TimeSpan.FromSeconds(15);
        var gateways = Enumerable.Range(0, gatewayCount)
            .Select(i => new SimulatedGateway(new DemoGateway($"BN{i:D10}", "GW-M001", $"0{i:D10}", i % 2 == 0 ? SimulatedProduct.MultiV2x : SimulatedProduct.KpacB)))
            .ToList();
        var start = DateTimeOffset.UtcNow - step * rounds;
        var events = new List<EventData>(gatewayCount * rounds);
        for (var round = 0; round < rounds; round++)
        {
            var ts = start + step * round;
            foreach (var gateway in gateways)
            {
                var reading = gateway.Next(ts, ts, step, faults: true);
                events.Add(new EventData(Encoding.UTF8.GetBytes(reading.ToJson()), events.Count, ts, reading.GatewayId));
            }
        }

        return events.Chunk(batchSize).Select(chunk => chunk.ToList()).ToList();
    }

    private static long _fastPathEvents;

    private static int Ours(List<List<EventData>> batches)
    {
        var valid = 0;
        _fastPathEvents = 0;
        var parsers = new TelemetryParserPool(TimeProvider.System);
        foreach (var batch in batches)
        {
            // As the function does: the parser of the batch's partition, kept from its previous batch.
            var parser = parsers.Rent("0");
            var fastPathBefore = parser.FastPathEvents;
            var (gateways, _) = TelemetryIngestFunction.ParseAndGroup(parser, batch);
            _fastPathEvents += parser.FastPathEvents - fastPathBefore;
            parsers.Return("0", parser);
            foreach (var gateway in gateways.Values)
            {
                valid += gateway.Events.Count;
                AlertRules.Evaluate(gateway.Latest!);
            }
        }

        return Checked(valid, batches);
    }

    private static readonly JsonSerializerOptions NaiveOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static int Naive(List<List<EventData>> batches)
    {
        var valid = 0;
        foreach (var batch in batches)
        {
            var upserts = new List<Dictionary<string, object?>>();
            foreach (var data in batch)
            {
                EventDto? dto;
                try
                {
                    dto = JsonSerializer.Deserialize<EventDto>(data.Body.Span, NaiveOptions);
                }
                catch (JsonException)
                {
                    continue;
                }

                if (dto is null || !IsValid(dto, out var ts))
                {
                    continue;
                }

                NaiveRules(dto);

                upserts.Add(new Dictionary<string, object?>
                {
                    ["PartitionKey"] = dto.GatewayId,
                    ["RowKey"] = "",
                    ["Boot"] = dto.Boot ?? 0,
                    ["Seq"] = dto.Seq,
                    ["Ts"] = ts,
                    ["Model"] = dto.Model,
                    ["Serial"] = dto.Serial,
                    ["Fw"] = dto.Fw,
                    ["PvW"] = dto.Pv?.W,
                    ["BatterySoc"] = dto.Battery?.Soc,
                    ["BatteryW"] = dto.Battery?.W,
                    ["BatteryTempC"] = dto.Battery?.TempC,
                    ["EvConnected"] = dto.Ev?.Connected,
                    ["EvSoc"] = dto.Ev?.Soc,
                    ["EvW"] = dto.Ev?.W,
                    ["GridW"] = dto.Grid?.W,
                    ["LoadW"] = dto.Load?.W,
                    ["Units"] = JsonSerializer.Serialize(dto.Units, NaiveOptions),
                });
            }

            valid += upserts.Count;
        }

        return Checked(valid, batches);
    }

    /// <summary>The alert rules on every event, as a straightforward implementation would run them.</summary>
    private static HashSet<string> NaiveRules(EventDto e)
    {
        var keys = new HashSet<string>();
        foreach (var unit in e.Units ?? [])
        {
            foreach (var fault in unit.Faults ?? [])
            {
                keys.Add($"{unit.No}-{fault}");
            }
        }

        if (e.Battery?.TempC is > AlertRules.MaxBatteryTempC or < AlertRules.MinBatteryTempC)
        {
            keys.Add("0-battery-temp");
        }

        return keys;
    }

    /// <summary>Both sides must accept every simulated event, or the comparison is off.</summary>
    private static int Checked(int valid, List<List<EventData>> batches)
    {
        var total = batches.Sum(b => b.Count);
        return valid == total ? total : throw new InvalidOperationException($"{total - valid} of {total} simulated events were rejected.");
    }

    private static bool IsValid(EventDto e, out DateTimeOffset ts)
    {
        ts = default;
        if (e.V != TelemetryParser.SupportedVersion || e.GatewayId is null || !GatewayIdPattern().IsMatch(e.GatewayId) || e.Boot < 0 || e.Seq is not >= 0
            || e.Ts is null || !DateTimeOffset.TryParse(e.Ts, CultureInfo.InvariantCulture, DateTimeStyles.None, out ts) || ts.Offset != TimeSpan.Zero
            || ts < TelemetryParser.EarliestTimestamp || ts > DateTimeOffset.UtcNow + TelemetryParser.MaxClockSkew)
        {
            return false;
        }

        static bool Power(double? w) => w is null || (double.IsFinite(w.Value) && Math.Abs(w.Value) <= KpNet.Telemetry.Measurement.MaxAbsolutePowerW);
        static bool Soc(double? soc) => soc is null or (>= 0 and <= 100);
        if (!Power(e.Pv?.W) || !Power(e.Battery?.W) || !Power(e.Ev?.W) || !Power(e.Grid?.W) || !Power(e.Load?.W)
            || !Soc(e.Battery?.Soc) || !Soc(e.Ev?.Soc) || e.Battery?.TempC is < KpNet.Telemetry.Measurement.MinTempC or > KpNet.Telemetry.Measurement.MaxTempC)
        {
            return false;
        }

        var units = e.Units ?? [];
        return units.Count <= TelemetryParser.MaxUnits
            && units.All(u => u.No is >= 1 and <= TelemetryParser.MaxUnitNo) && units.Sum(u => u.Faults?.Count ?? 0) <= TelemetryParser.MaxFaults
            && units.Select(u => u.No).Distinct().Count() == units.Count;
    }

    [GeneratedRegex("^[A-Z0-9]{12}$")]
    private static partial Regex GatewayIdPattern();

    private sealed class EventDto
    {
        public int V { get; set; }

        public string? GatewayId { get; set; }

        public long? Boot { get; set; }

        public long? Seq { get; set; }

        public string? Ts { get; set; }

        public string? Model { get; set; }

        public string? Serial { get; set; }

        public string? Fw { get; set; }

        public PowerDto? Pv { get; set; }

        public BatteryDto? Battery { get; set; }

        public EvDto? Ev { get; set; }

        public PowerDto? Grid { get; set; }

        public PowerDto? Load { get; set; }

        public List<UnitDto>? Units { get; set; }
    }

    private class PowerDto
    {
        public double? W { get; set; }
    }

    private sealed class BatteryDto : PowerDto
    {
        public double? Soc { get; set; }

        public double? TempC { get; set; }
    }

    private sealed class EvDto : PowerDto
    {
        public bool? Connected { get; set; }

        public double? Soc { get; set; }
    }

    private sealed class UnitDto
    {
        public int No { get; set; }

        public string? Model { get; set; }

        public string? Serial { get; set; }

        public string? Status { get; set; }

        public List<string>? Faults { get; set; }
    }
}
