using System.Net.Sockets;
using Azure.Identity;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace KpNet.Simulator;

/// <summary>
/// The Event Hubs target: sends through Azure.Messaging.EventHubs (AMQP) to a real namespace. An
/// <see cref="EventDataBatch"/> carries one partition key, and the ingest applies an event only when its partition key is
/// its gatewayId, so each gateway's readings of a round go in batches of their own, keyed by its ID. Readings are added
/// with <see cref="EventDataBatch.TryAdd"/>: one that does not fit starts a new batch, one that does not fit an empty
/// batch is counted as failed and named in the result. Gateways are sent in parallel over the client's one connection,
/// each gateway's batches in order. The client retries transient failures itself; a send that still fails counts its
/// gateway's unsent readings as failed.
/// </summary>
public sealed class EventHubsTelemetrySender(EventHubProducerClient producer, int parallelSends) : ITelemetrySender
{
    public const string ContentType = "application/json";

    /// <summary>Application property marking simulated events, so that they can be told apart in the hub's Capture.</summary>
    public const string SourceProperty = "source";

    public const string SourceValue = "kpnet-simulator";

    public async Task<SendResult> SendAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken)
    {
        var round = new RoundTally();
        await Parallel.ForEachAsync(
            readings.GroupBy(reading => reading.GatewayId, StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = parallelSends, CancellationToken = cancellationToken },
            async (gateway, token) => await SendGatewayAsync(gateway.Key, [.. gateway], round, token));
        return round.Result();
    }

    /// <summary>The event a reading becomes: its JSON body, typed, identified by (gatewayId, boot, seq).</summary>
    public static EventData ToEventData(TelemetryReading reading) => new(reading.ToUtf8Json())
    {
        ContentType = ContentType,
        MessageId = $"{reading.GatewayId}-{reading.Boot}-{reading.Seq}",
        Properties = { [SourceProperty] = SourceValue },
    };

    private async Task SendGatewayAsync(string gatewayId, List<TelemetryReading> readings, RoundTally round, CancellationToken cancellationToken)
    {
        var options = new CreateBatchOptions { PartitionKey = gatewayId };
        var (sent, tooLarge) = (0, 0);
        EventDataBatch? batch = null;
        try
        {
            foreach (var reading in readings)
            {
                var data = ToEventData(reading);
                batch ??= await producer.CreateBatchAsync(options, cancellationToken);
                if (batch.TryAdd(data))
                {
                    continue;
                }

                if (batch.Count > 0)
                {
                    sent += await SendAsync(batch, round, cancellationToken);
                    batch.Dispose();
                    batch = null;
                    batch = await producer.CreateBatchAsync(options, cancellationToken);
                    if (batch.TryAdd(data))
                    {
                        continue;
                    }
                }

                tooLarge++;
                round.Failed(1, $"The event of gateway {gatewayId} seq {reading.Seq} ({data.EventBody.ToMemory().Length} bytes) does not fit an empty batch ({batch.MaximumSizeInBytes} bytes).");
            }

            if (batch is { Count: > 0 })
            {
                sent += await SendAsync(batch, round, cancellationToken);
            }
        }
        catch (Exception e) when (IsSendFailure(e))
        {
            round.Failed(readings.Count - sent - tooLarge, $"{gatewayId}: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            batch?.Dispose();
        }
    }

    private async Task<int> SendAsync(EventDataBatch batch, RoundTally round, CancellationToken cancellationToken)
    {
        round.Request();
        await producer.SendAsync(batch, cancellationToken);
        round.Sent(batch.Count);
        return batch.Count;
    }

    /// <summary>What the service or the credential can answer after the client's own retries; anything else is a defect.</summary>
    private static bool IsSendFailure(Exception e) =>
        e is EventHubsException or UnauthorizedAccessException or AuthenticationFailedException or SocketException or TimeoutException;

    private sealed class RoundTally
    {
        private readonly Lock _lock = new();
        private int _sent;
        private int _failed;
        private int _requests;
        private string? _lastError;

        public void Request()
        {
            lock (_lock)
            {
                _requests++;
            }
        }

        public void Sent(int count)
        {
            lock (_lock)
            {
                _sent += count;
            }
        }

        public void Failed(int count, string error)
        {
            lock (_lock)
            {
                _failed += count;
                _lastError = error;
            }
        }

        public SendResult Result()
        {
            lock (_lock)
            {
                return new SendResult(_sent, _failed, _requests, _lastError);
            }
        }
    }
}
