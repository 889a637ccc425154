using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using KpNet.Azure.EventHubs;
using KpNet.Simulator;
using KpNet.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Bench;

/// <summary>
/// telemetry-e2e: simulated gateways send through the Event Hubs REST API (SAS) to the app's local ingest endpoint
/// for --seconds, from --senders concurrent senders; sustained events/s, and the lag from the start of a send until the
/// status of the request's last gateway shows that event (read back through GatewayStatusStore).
/// </summary>
public static class TelemetryEndToEndBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var gatewayCount = int.Parse(BenchSupport.Option(args, "--gateways") ?? "1000", CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromSeconds(double.Parse(BenchSupport.Option(args, "--seconds") ?? "30", CultureInfo.InvariantCulture));
        var senders = int.Parse(BenchSupport.Option(args, "--senders") ?? "4", CultureInfo.InvariantCulture);
        var batchSize = int.Parse(BenchSupport.Option(args, "--batch") ?? "250", CultureInfo.InvariantCulture);

        await using var pipeline = await LocalPipeline.StartAsync(maxEventBatchSize: 1000);
        var gateways = Enumerable.Range(0, gatewayCount)
            .Select(i => new DemoGateway($"EE{i:D10}", "GW-M001", $"0{i:D10}", i % 2 == 0 ? SimulatedProduct.MultiV2x : SimulatedProduct.KpacB))
            .ToList();
        await pipeline.AddToInventoryAsync(gateways.Select(g => g.Id));
        pipeline.Requests.TakeSnapshot();
        Console.WriteLine($"telemetry-e2e: {gatewayCount:N0} gateways, {senders} senders, {batchSize} events per request, {duration.TotalSeconds:F0} s");

        var statuses = pipeline.Services.GetRequiredService<GatewayStatusStore>();
        var producer = new EventHubsProducerClient(pipeline.TelemetryConnectionString);
        var lags = new ConcurrentBag<double>();
        var sent = 0L;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(gateways.Chunk((gatewayCount + senders - 1) / senders).Select(async share =>
        {
            var simulator = new GatewaySimulator(share, TimeSpan.FromSeconds(5));
            while (clock.Elapsed < duration)
            {
                foreach (var request in simulator.NextRound(DateTimeOffset.UtcNow).Chunk(batchSize))
                {
                    var sending = Stopwatch.StartNew();
                    await producer.SendBatchAsync(TelemetrySender.ToOutgoing(request).ToList());
                    var last = request[^1];
                    while ((await statuses.GetAsync(last.GatewayId))?.Seq < last.Seq)
                    {
                        await Task.Delay(5);
                    }

                    lags.Add(sending.Elapsed.TotalMilliseconds);
                    Interlocked.Add(ref sent, request.Length);
                }
            }
        }));
        var elapsed = clock.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        var lagList = lags.ToList();
        Console.WriteLine($"  sustained: {sent:N0} events in {elapsed.TotalSeconds:F1} s = {sent / elapsed.TotalSeconds:N0} events/s");
        Console.WriteLine($"  CPU of this process (app, senders and probes; Azurite apart): {cpu.TotalSeconds:F1} s = {sent / cpu.TotalSeconds:N0} events per CPU-second");
        Console.WriteLine($"  lag send -> status visible ({lagList.Count} requests): p50 {Measurement.Percentile(lagList, 0.5):N0} ms, p95 {Measurement.Percentile(lagList, 0.95):N0} ms, max {lagList.Max():N0} ms");
        var counts = pipeline.Requests.TakeSnapshot();
        var requests = counts.Where(c => !c.Key.EndsWith(" actions", StringComparison.Ordinal)).Sum(c => c.Value);
        Console.WriteLine($"  table requests: {requests:N0} ({(double)requests / sent:F2} per event, including the lag probes' status reads)");
        return 0;
    }
}
