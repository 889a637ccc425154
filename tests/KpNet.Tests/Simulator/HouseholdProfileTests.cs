using KpNet.Azure.EventHubs;
using KpNet.Simulator;
using KpNet.Telemetry;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Simulator;

public sealed class HouseholdProfileTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    /// <summary>Midnight in Japan three days ago, so that three simulated days end in the past (the parser refuses the future).</summary>
    private static readonly DateTimeOffset Start = JapanTime.StartOf(JapanTime.DateOf(DateTimeOffset.UtcNow)).AddDays(-3);

    private static IReadOnlyList<DemoGateway> DemoInventory { get; } = DemoGateways.Read(Path.Combine(RepositoryRoot.Path, "tools", "demo", "gateways.csv"));

    /// <summary>Every demo gateway through <paramref name="days"/> days in 5-minute steps, the household clock = ts.</summary>
    private static List<TelemetryReading> SimulateDays(int days, bool faults = false)
    {
        var gateways = DemoInventory.Select(g => new SimulatedGateway(g)).ToList();
        var readings = new List<TelemetryReading>();
        for (var time = Start + Step; time <= Start.AddDays(days); time += Step)
        {
            readings.AddRange(gateways.Select(g => g.Next(time, time, Step, faults)));
        }

        return readings;
    }

    private static double JapanHour(TelemetryReading reading) => JapanTime.Of(reading.Ts).TimeOfDay.TotalHours;

    [Fact]
    public void The_demo_inventory_has_both_product_lines()
    {
        Assert.Contains(DemoInventory, g => g.Product == SimulatedProduct.MultiV2x);
        Assert.Contains(DemoInventory, g => g.Product == SimulatedProduct.KpacB);
    }

    [Fact]
    public void Pv_is_zero_at_night_in_Japan_and_generating_around_noon()
    {
        var readings = SimulateDays(1);

        Assert.All(readings.Where(r => JapanHour(r) is < 4.5 or > 19.5), r => Assert.Equal(0, r.PvW));
        Assert.All(readings.Where(r => JapanHour(r) is >= 11.5 and <= 12.5), r => Assert.True(r.PvW > 0, $"{r.GatewayId} at {r.Ts:u}: pv {r.PvW}"));
        var noonPeaks = readings.Where(r => JapanHour(r) is >= 11 and <= 13).GroupBy(r => r.GatewayId).Select(g => g.Max(r => r.PvW));
        Assert.All(noonPeaks, peak => Assert.InRange(peak, 300, 10_000));
    }

    [Fact]
    public void Battery_soc_and_temperature_stay_within_bounds_over_simulated_days()
    {
        var readings = SimulateDays(3);

        Assert.All(readings, r => Assert.InRange(r.BatterySoc, SimulatedGateway.MinBatterySoc, SimulatedGateway.MaxBatterySoc));
        Assert.All(readings, r => Assert.InRange(r.BatteryTempC, SimulatedGateway.MinBatteryTempC, SimulatedGateway.MaxBatteryTempC));
        Assert.Contains(readings, r => r.BatteryW < 0);
        Assert.Contains(readings, r => r.BatteryW > 0 && JapanHour(r) >= 17);
    }

    [Fact]
    public void Power_flows_balance_the_way_the_ingestion_counts_them()
    {
        var readings = SimulateDays(2);

        // grid > 0 buying, battery > 0 discharging, ev > 0 charging the car (TelemetryRollups).
        Assert.All(readings, r => Assert.Equal(r.LoadW + r.EvW, r.PvW + r.GridW + r.BatteryW));
        Assert.Contains(readings, r => r.GridW > 0);
        Assert.Contains(readings, r => r.GridW < 0);
        Assert.All(readings, r => Assert.InRange(r.LoadW, 250, 6000));
    }

    [Fact]
    public void Multi_v2x_households_plug_their_ev_in_from_the_evening_to_the_morning()
    {
        var readings = SimulateDays(2);
        var multiV2x = DemoInventory.Where(g => g.Product == SimulatedProduct.MultiV2x).Select(g => g.Id).ToHashSet();

        Assert.All(readings.Where(r => !multiV2x.Contains(r.GatewayId)), r => Assert.Equal((false, 0.0), (r.EvConnected, r.EvW)));
        Assert.All(readings.Where(r => !multiV2x.Contains(r.GatewayId)), r => Assert.DoesNotContain("\"ev\"", r.ToJson(), StringComparison.Ordinal));
        Assert.All(readings.Where(r => multiV2x.Contains(r.GatewayId)), r => Assert.Contains("\"ev\":{", r.ToJson(), StringComparison.Ordinal));
        var evs = readings.Where(r => multiV2x.Contains(r.GatewayId)).ToList();
        Assert.All(evs.Where(r => JapanHour(r) is >= 10 and < 16), r => Assert.Equal((false, 0.0), (r.EvConnected, r.EvW)));
        Assert.All(evs.Where(r => JapanHour(r) is >= 21 or < 6), r => Assert.True(r.EvConnected));
        Assert.Contains(evs, r => r.EvW > 0);
        Assert.Contains(evs, r => r.EvW < 0);
        Assert.All(evs.Where(r => r.EvConnected), r => Assert.InRange(r.EvSoc!.Value, 0, 100));
    }

    [Fact]
    public void Each_run_of_the_simulator_is_a_later_boot_of_its_gateways_whose_seqs_count_again_from_1()
    {
        var gateway = DemoInventory[0];
        var now = DateTimeOffset.UtcNow;
        var first = new SimulatedGateway(gateway);
        var before = Enumerable.Range(0, 100).Select(i => first.Next(now.AddSeconds(5 * i), now.AddSeconds(5 * i), Step)).ToList();
        var restarted = new SimulatedGateway(gateway);
        var after = Enumerable.Range(0, 3).Select(i => restarted.Next(now.AddMinutes(10).AddSeconds(5 * i), now.AddMinutes(10).AddSeconds(5 * i), Step)).ToList();

        Assert.Equal(Enumerable.Range(1, 100).Select(seq => (long)seq), before.Select(r => r.Seq));
        Assert.All(before, r => Assert.Equal(now.ToUnixTimeSeconds(), r.Boot));
        Assert.Equal([1L, 2L, 3L], after.Select(r => r.Seq));
        Assert.All(after, r => Assert.Equal(now.AddMinutes(10).ToUnixTimeSeconds(), r.Boot));
    }

    [Fact]
    public void Pcs_units_are_one_or_two_per_gateway_and_the_same_in_every_run()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var gateway in DemoInventory)
        {
            var units = new SimulatedGateway(gateway).Next(now, now, Step).Units;
            Assert.InRange(units.Count, 1, 2);
            Assert.Equal(units.Select(u => (u.No, u.Model, u.Serial)), new SimulatedGateway(gateway).Next(now, now, Step).Units.Select(u => (u.No, u.Model, u.Serial)));
            Assert.All(units, u => Assert.Equal(("run", 0), (u.Status, u.Faults.Count)));
        }
    }

    [Fact]
    public void Every_event_passes_the_ingestion_parser_with_the_values_sent()
    {
        var parser = new TelemetryParser(TimeProvider.System);
        foreach (var reading in SimulateDays(1).Where((_, i) => i % 7 == 0))
        {
            var result = parser.Parse(System.Text.Encoding.UTF8.GetBytes(reading.ToJson()));

            Assert.True(result.IsValid, $"{result.Rejection}: {reading.ToJson()}");
            var parsed = result.Event!;
            Assert.Equal((reading.GatewayId, reading.Seq, reading.Ts, reading.Model, reading.Serial), (parsed.GatewayId, parsed.Seq, parsed.Ts, parsed.Model, parsed.Serial));
            Assert.Equal((reading.PvW, reading.GridW, reading.LoadW, reading.BatteryW, reading.BatterySoc),
                (parsed.Measurements[Measurement.PvW]!.Value, parsed.Measurements[Measurement.GridW]!.Value, parsed.Measurements[Measurement.LoadW]!.Value, parsed.Measurements[Measurement.BatteryW]!.Value, parsed.Measurements[Measurement.BatterySoc]!.Value));
            Assert.Equal(
                reading.HasEvCharger ? (reading.EvW, reading.EvConnected) : null,
                parsed.Measurements[Measurement.EvW] is { } evW ? (evW, parsed.Measurements.Flag(Measurement.EvConnected)!.Value) : ((double, bool)?)null);
            Assert.Equal(reading.Units.Select(u => (u.No, u.Model, u.Serial, u.Status)), parsed.Units!.Select(u => (u.No, u.Model!, u.Serial!, u.Status!)));
        }
    }

    [Fact]
    public void With_faults_some_units_report_fault_codes_and_batteries_overheat_and_the_events_still_parse()
    {
        var readings = SimulateDays(2, faults: true);
        var parser = new TelemetryParser(TimeProvider.System);

        var faulted = readings.Where(r => r.Units.Any(u => u.Status == "fault")).ToList();
        Assert.NotEmpty(faulted);
        Assert.All(faulted.SelectMany(r => r.Units.Where(u => u.Status == "fault")), u => Assert.Single(u.Faults));
        Assert.Contains(readings, r => r.BatteryTempC > SimulatedGateway.MaxBatteryTempC);
        Assert.All(faulted.Take(50), r => Assert.True(parser.Parse(System.Text.Encoding.UTF8.GetBytes(r.ToJson())).IsValid));
    }

    [Fact]
    public void Batches_are_split_so_that_no_request_exceeds_the_size_limit()
    {
        var events = TelemetrySender.ToOutgoing(SimulateDays(1).Take(3000)).ToList();
        const int maxBytes = 100_000;

        var requests = TelemetrySender.Split(events, maxBytes).ToList();

        Assert.True(requests.Count > 1);
        Assert.Equal(events, requests.SelectMany(r => r));
        Assert.All(requests, r => Assert.InRange(EventHubsProducerClient.WriteBatch(r).Length, 1, maxBytes));
    }
}
