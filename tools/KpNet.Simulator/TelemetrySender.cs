using System.Text.Json;
using Azure;
using KpNet.Azure.EventHubs;

namespace KpNet.Simulator;

/// <summary>
/// The REST target (by default the app's local ingest endpoint): sends events as Event Hubs REST batch requests
/// (partition key = gateway ID) with our <see cref="EventHubsProducerClient"/>, hub-wide batches split so that no
/// request exceeds the size limit. Retries of 5xx and 429 are Azure.Core's; a request that still fails counts its events
/// as failed.
/// </summary>
public sealed class TelemetrySender(EventHubsProducerClient producer, int maxRequestBytes = 1_000_000) : ITelemetrySender
{
    // The batch format around each body: {"Body":"…","BrokerProperties":{"PartitionKey":"…"}}, plus the array's brackets.
    private const int EnvelopeBytes = 64;

    public async Task<SendResult> SendAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken)
    {
        var (sent, failed, requests) = (0, 0, 0);
        string? lastError = null;
        foreach (var request in Split(ToOutgoing(readings).ToList(), maxRequestBytes))
        {
            requests++;
            try
            {
                await producer.SendBatchAsync(request, cancellationToken);
                sent += request.Count;
            }
            catch (RequestFailedException e)
            {
                failed += request.Count;
                lastError = e.Status == 0 ? e.Message : $"HTTP {e.Status} {e.ErrorCode}".TrimEnd();
            }
            catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is RequestFailedException))
            {
                // Azure.Core gave up retrying (e.g. the app is not listening): the next round tries again.
                failed += request.Count;
                lastError = e.InnerExceptions[^1].Message;
            }
        }

        return new SendResult(sent, failed, requests, lastError);
    }

    public static IEnumerable<OutgoingEvent> ToOutgoing(IEnumerable<TelemetryReading> readings) =>
        readings.Select(reading => new OutgoingEvent(reading.ToJson(), reading.GatewayId));

    /// <summary>Consecutive runs of events whose batch request stays within <paramref name="maxBytes"/>.</summary>
    public static IEnumerable<IReadOnlyList<OutgoingEvent>> Split(IReadOnlyList<OutgoingEvent> events, int maxBytes)
    {
        var current = new List<OutgoingEvent>();
        var size = 2;
        foreach (var outgoing in events)
        {
            // Encoded as the producer writes it (Utf8JsonWriter's default escaping), so the estimate is exact up to the envelope.
            var eventSize = JsonEncodedText.Encode(outgoing.Body).EncodedUtf8Bytes.Length
                + (outgoing.PartitionKey is null ? 0 : JsonEncodedText.Encode(outgoing.PartitionKey).EncodedUtf8Bytes.Length)
                + EnvelopeBytes;
            if (current.Count > 0 && size + eventSize > maxBytes)
            {
                yield return current;
                current = [];
                size = 2;
            }

            current.Add(outgoing);
            size += eventSize;
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }
}
