using System.Collections.Concurrent;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using KpNet.Simulator;

namespace KpNet.Tests.Simulator;

/// <summary>
/// The simulator's Event Hubs target up to the client boundary: what it hands to Azure.Messaging.EventHubs's producer,
/// through the SDK's own test seams (the producer's virtual methods and <see cref="EventHubsModelFactory"/>'s batch).
/// </summary>
public sealed class EventHubsTelemetrySenderTests
{
    [Fact]
    public async Task Every_gateway_s_reading_goes_to_the_producer_as_its_json_keyed_by_its_gateway_id()
    {
        var producer = new RecordingProducer(maxBatchBytes: 1_000_000);
        var readings = Simulator(50).NextRound(DateTimeOffset.UtcNow);

        var result = await new EventHubsTelemetrySender(producer, parallelSends: 8).SendAsync(readings, CancellationToken.None);

        Assert.Equal(new SendResult(50, 0, 50, null), result);
        var sent = producer.Sent.ToDictionary(batch => batch.PartitionKey!);
        Assert.Equal(readings.Select(r => r.GatewayId).Order(), sent.Keys.Order());
        foreach (var reading in readings)
        {
            var data = Assert.Single(sent[reading.GatewayId].Events);
            Assert.Equal(reading.ToJson(), data.EventBody.ToString());
            Assert.Equal("application/json", data.ContentType);
            Assert.Equal($"{reading.GatewayId}-{reading.Boot}-{reading.Seq}", data.MessageId);
            Assert.Equal("kpnet-simulator", Assert.Single(data.Properties, p => p.Key == "source").Value);
        }
    }

    [Fact]
    public async Task A_reading_that_does_not_fit_the_batch_starts_a_new_one_and_the_gateway_s_order_is_kept()
    {
        var readings = Rounds(Simulator(1), 5);
        var largest = readings.Max(r => r.ToUtf8Json().Length);
        var producer = new RecordingProducer(maxBatchBytes: largest * 5 / 2);

        var result = await new EventHubsTelemetrySender(producer, parallelSends: 1).SendAsync(readings, CancellationToken.None);

        Assert.Equal(new SendResult(5, 0, 3, null), result);
        Assert.Equal([2, 2, 1], producer.Sent.Select(batch => batch.Events.Count));
        Assert.All(producer.Sent, batch => Assert.Equal(readings[0].GatewayId, batch.PartitionKey));
        Assert.All(producer.Sent, batch => Assert.InRange(batch.Events.Sum(e => e.EventBody.ToMemory().Length), 1, largest * 5 / 2));
        Assert.Equal(readings.Select(r => r.ToJson()), producer.Sent.SelectMany(batch => batch.Events).Select(e => e.EventBody.ToString()));
    }

    [Fact]
    public async Task A_reading_too_large_for_an_empty_batch_is_reported_as_failed_and_the_gateway_s_other_readings_are_sent()
    {
        var readings = Rounds(Simulator(1), 3);
        readings[1] = readings[1] with { Model = new string('M', 4_000) };
        var producer = new RecordingProducer(maxBatchBytes: 2_000);

        var result = await new EventHubsTelemetrySender(producer, parallelSends: 1).SendAsync(readings, CancellationToken.None);

        Assert.Equal((2, 1), (result.Sent, result.Failed));
        Assert.Contains($"{readings[1].GatewayId} seq {readings[1].Seq}", result.LastError, StringComparison.Ordinal);
        Assert.Equal([readings[0].ToJson(), readings[2].ToJson()], producer.Sent.SelectMany(batch => batch.Events).Select(e => e.EventBody.ToString()));
    }

    [Fact]
    public async Task A_send_the_service_refuses_fails_that_gateway_s_readings_and_the_other_gateways_are_still_sent()
    {
        var readings = Simulator(3).NextRound(DateTimeOffset.UtcNow);
        var refused = readings[1].GatewayId;
        var producer = new RecordingProducer(
            maxBatchBytes: 1_000_000,
            refuse: partitionKey => partitionKey == refused
                ? new EventHubsException(isTransient: true, "telemetry", "The namespace is throttled.", EventHubsException.FailureReason.ServiceBusy)
                : null);

        var result = await new EventHubsTelemetrySender(producer, parallelSends: 1).SendAsync(readings, CancellationToken.None);

        Assert.Equal((2, 1, 3), (result.Sent, result.Failed, result.Requests));
        Assert.StartsWith($"{refused}: EventHubsException", result.LastError, StringComparison.Ordinal);
        Assert.Equal(readings.Select(r => r.GatewayId).Where(id => id != refused).Order(), producer.Sent.Select(batch => batch.PartitionKey!).Order());
    }

    private static GatewaySimulator Simulator(int gateways) => new(
        Enumerable.Range(0, gateways).Select(i => new DemoGateway($"EH{i:D10}", "GW-M001", $"0{i:D10}", i % 2 == 0 ? SimulatedProduct.MultiV2x : SimulatedProduct.KpacB)),
        TimeSpan.FromSeconds(5));

    private static List<TelemetryReading> Rounds(GatewaySimulator simulator, int rounds)
    {
        var start = DateTimeOffset.UtcNow;
        return Enumerable.Range(0, rounds).SelectMany(round => simulator.NextRound(start.AddSeconds(5 * round))).ToList();
    }

    private sealed record SentBatch(string? PartitionKey, IReadOnlyList<EventData> Events);

    /// <summary>
    /// The producer as its mocking constructor leaves it, with the batches of <see cref="EventHubsModelFactory"/>: a batch
    /// takes events while their bodies add up to at most <paramref name="maxBatchBytes"/>. Records every batch sent.
    /// </summary>
    private sealed class RecordingProducer(long maxBatchBytes, Func<string?, Exception?>? refuse = null) : EventHubProducerClient
    {
        private readonly ConcurrentDictionary<EventDataBatch, (string? PartitionKey, List<EventData> Events)> _batches = new();
        private readonly ConcurrentQueue<SentBatch> _sent = new();

        public IReadOnlyList<SentBatch> Sent => [.. _sent];

        public override ValueTask<EventDataBatch> CreateBatchAsync(CreateBatchOptions options, CancellationToken cancellationToken = default)
        {
            var events = new List<EventData>();
            var bytes = 0L;
            var batch = EventHubsModelFactory.EventDataBatch(
                0,
                events,
                new CreateBatchOptions { PartitionKey = options.PartitionKey, MaximumSizeInBytes = maxBatchBytes },
                data =>
                {
                    var size = data.EventBody.ToMemory().Length;
                    if (bytes + size > maxBatchBytes)
                    {
                        return false;
                    }

                    bytes += size;
                    return true;
                });
            _batches[batch] = (options.PartitionKey, events);
            return ValueTask.FromResult(batch);
        }

        public override Task SendAsync(EventDataBatch eventBatch, CancellationToken cancellationToken = default)
        {
            var (partitionKey, events) = _batches[eventBatch];
            if (refuse?.Invoke(partitionKey) is { } refusal)
            {
                return Task.FromException(refusal);
            }

            _sent.Enqueue(new SentBatch(partitionKey, [.. events]));
            return Task.CompletedTask;
        }
    }
}
