using System.Globalization;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using KpNet.Simulator;

namespace KpNet.Bench;

/// <summary>
/// simulator-round: what a round of the simulator's Event Hubs target costs the simulator itself (readings made, turned
/// into events, one keyed batch per gateway) up to the client boundary: the producer is the SDK's mocking seam with
/// <see cref="EventHubsModelFactory"/> batches, so neither the SDK's AMQP encoding nor the network is counted.
/// </summary>
public static class SimulatorRoundBench
{
    public static int Run(string[] args)
    {
        var gatewayCount = int.Parse(BenchSupport.Option(args, "--gateways") ?? "10000", CultureInfo.InvariantCulture);
        var parallelSends = int.Parse(BenchSupport.Option(args, "--parallel-sends") ?? "32", CultureInfo.InvariantCulture);
        var simulator = new GatewaySimulator(
            Enumerable.Range(0, gatewayCount).Select(i => new DemoGateway($"SM{i:D10}", "GW-M001", $"S{i:D10}", i % 2 == 0 ? SimulatedProduct.MultiV2x : SimulatedProduct.KpacB)),
            TimeSpan.FromMinutes(1));
        var sender = new EventHubsTelemetrySender(new ClientBoundary(), parallelSends);
        var now = DateTimeOffset.UtcNow;
        Console.WriteLine($"simulator-round: {gatewayCount:N0} gateways, {parallelSends} sends in flight, producer = SDK mocking seam (no AMQP encoding, no network)");

        var round = Measurement.Run("round", () =>
        {
            now = now.AddMinutes(1);
            var result = sender.SendAsync(simulator.NextRound(now), CancellationToken.None).GetAwaiter().GetResult();
            return result.Failed == 0 && result.Sent == gatewayCount ? result.Sent : throw new InvalidOperationException($"Round sent {result.Sent}, failed {result.Failed}.");
        });
        Console.WriteLine($"  per round: {round.MedianSeconds * 1000:N0} ms wall, {round.MedianCpuSeconds * 1000:N0} ms CPU (best {round.BestCpuSeconds * 1000:N0}); {round.MedianCpuSeconds * 1e6 / gatewayCount:F1} µs CPU per event; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        return 0;
    }

    private sealed class ClientBoundary : EventHubProducerClient
    {
        public override ValueTask<EventDataBatch> CreateBatchAsync(CreateBatchOptions options, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(EventHubsModelFactory.EventDataBatch(0, new List<EventData>(), options));

        public override Task SendAsync(EventDataBatch eventBatch, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
