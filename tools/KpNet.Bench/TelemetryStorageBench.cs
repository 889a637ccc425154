using System.Diagnostics;
using System.Globalization;
using KpNet.Azure.EventHubs;
using KpNet.Inventory;
using KpNet.Simulator;
using KpNet.Telemetry;
using KpNet.Telemetry.Alerts;

namespace KpNet.Bench;

/// <summary>
/// telemetry-storage: table operations per event of the real ingest function against Azurite, for gateways that send
/// one event a minute, delivered in batches of --batch events, with the telemetry tables over --shards accounts (4, as in
/// production). The first minute (first communication) is reported apart from the steady state, and each with the
/// requests per storage account: the main account (the inventory) and each telemetry account, the busiest of these
/// against their average.
/// </summary>
public static class TelemetryStorageBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var gatewayCount = int.Parse(BenchSupport.Option(args, "--gateways") ?? "10000", CultureInfo.InvariantCulture);
        var minutes = int.Parse(BenchSupport.Option(args, "--minutes") ?? "3", CultureInfo.InvariantCulture);
        var batchSize = int.Parse(BenchSupport.Option(args, "--batch") ?? "1000", CultureInfo.InvariantCulture);
        var shards = int.Parse(BenchSupport.Option(args, "--shards") ?? "4", CultureInfo.InvariantCulture);

        await using var pipeline = await LocalPipeline.StartAsync(batchSize, telemetryShards: shards);
        var gateways = Enumerable.Range(0, gatewayCount)
            .Select(i => new SimulatedGateway(new DemoGateway($"ST{i:D10}", "GW-M001", $"0{i:D10}", i % 2 == 0 ? SimulatedProduct.MultiV2x : SimulatedProduct.KpacB)))
            .ToList();
        Console.WriteLine($"telemetry-storage: {gatewayCount:N0} gateways, 1 event/minute each, batches of {batchSize:N0}, {minutes} minutes of events, {shards} telemetry accounts");
        await pipeline.AddToInventoryAsync(gateways.Select(g => g.Gateway.Id));
        pipeline.Requests.TakeSnapshot();
        pipeline.Requests.TakeAccountSnapshot();
        var steadyAccounts = new Dictionary<string, long>(StringComparer.Ordinal);

        var producer = new EventHubsProducerClient(pipeline.TelemetryConnectionString);
        var start = DateTimeOffset.UtcNow.AddMinutes(-minutes);
        var steady = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var minute = 0; minute < minutes; minute++)
        {
            var ts = start.AddMinutes(minute);
            var events = gateways.Select(g => g.Next(ts, ts, TimeSpan.FromMinutes(1))).ToList();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            foreach (var batch in events.Chunk(batchSize))
            {
                // One request per batch: the local hub hands it to the function as one invocation.
                await producer.SendBatchAsync(TelemetrySender.ToOutgoing(batch).ToList());
            }

            var counts = pipeline.Requests.TakeSnapshot();
            var accounts = pipeline.Requests.TakeAccountSnapshot();
            Report(minute == 0 ? "minute 1 (first communication)" : $"minute {minute + 1}", counts, events.Count, clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpuBefore);
            ReportAccounts(accounts, pipeline.TelemetryAccountNames, events.Count);
            if (minute > 0)
            {
                foreach (var (key, value) in counts)
                {
                    steady[key] = steady.GetValueOrDefault(key) + value;
                }

                foreach (var (key, value) in accounts)
                {
                    steadyAccounts[key] = steadyAccounts.GetValueOrDefault(key) + value;
                }
            }
        }

        if (minutes > 1)
        {
            Report($"steady state (minutes 2-{minutes})", steady, gatewayCount * (minutes - 1), null, null);
            ReportAccounts(steadyAccounts, pipeline.TelemetryAccountNames, gatewayCount * (minutes - 1));
        }

        return 0;
    }

    private static void Report(string title, IReadOnlyDictionary<string, long> counts, int events, TimeSpan? elapsed, TimeSpan? cpu)
    {
        var requests = counts.Where(c => !c.Key.EndsWith(" actions", StringComparison.Ordinal)).Sum(c => c.Value);
        Console.WriteLine($"  {title}: {events:N0} events, {requests:N0} table requests = {(double)requests / events:F2} per event" +
            (elapsed is { } e ? $" ({events / e.TotalSeconds:N0} events/s)" : "") +
            (cpu is { } c ? $", {c.TotalSeconds:F1} s CPU in this process = {events / c.TotalSeconds:N0} events per CPU-second" : ""));
        foreach (var (key, value) in counts)
        {
            Console.WriteLine($"    {Kind(key),-14} {key,-42} {(double)value / events,6:F3} per event  ({value:N0})");
        }
    }

    /// <summary>Requests per account; the telemetry accounts' busiest against their average (1.00 = perfectly even).</summary>
    private static void ReportAccounts(IReadOnlyDictionary<string, long> accounts, IReadOnlyList<string> telemetryAccounts, int events)
    {
        foreach (var (account, requests) in accounts)
        {
            Console.WriteLine($"    account {account,-20} {requests,9:N0} requests  {(double)requests / events,6:F3} per event");
        }

        var shards = telemetryAccounts.Select(account => accounts.GetValueOrDefault(account)).ToList();
        if (shards.Count > 0)
        {
            Console.WriteLine($"    telemetry accounts: busiest {shards.Max():N0}, average {shards.Average():N0} requests = {shards.Max() / shards.Average():F3} x the average");
        }
    }

    private static string Kind(string key) => key.Split(' ')[0] switch
    {
        "GatewayStatus" => key.Contains("read", StringComparison.Ordinal) ? "status read" : "status write",
        TelemetryRollups.TableName => "rollup",
        TelemetryDeadLetters.TableName => "dead letter",
        AlertStore.TableName => "alert state",
        GatewayLastSeen.TableName => "last seen",
        GatewayInventory.TableName => "inventory",
        _ => "other",
    };
}
