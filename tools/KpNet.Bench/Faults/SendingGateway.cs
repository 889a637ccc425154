using Azure.Core.Pipeline;
using KpNet.Azure.EventHubs;
using KpNet.Simulator;
using KpNet.Telemetry;

namespace KpNet.Bench.Faults;

/// <summary>One sent event, with the phase it was made in.</summary>
public sealed record SentEvent(string Phase, TelemetryReading Reading)
{
    public string Bucket => TelemetryRollups.FiveMinuteKey(Reading.Ts);
}

/// <summary>
/// A gateway sending as its own publisher (the token from POST /api/gateway-api/telemetry-token) every 5 s, the
/// simulator's household readings; what it could not send it keeps and sends again with its next events, as a gateway
/// must (the app answers 201 only once the events are applied). The first event of each 5-minute bucket carries
/// <see cref="MarkerW"/> as its EV power and every other 0 W, so the bucket's average EV power in the history is
/// MarkerW / (events counted): the count of events applied, which the API shows nowhere else.
/// </summary>
public sealed class SendingGateway(Owner owner, Uri endpoint, string token, HttpClient client)
{
    public const double MarkerW = 960_000;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly SimulatedGateway _household = new(new DemoGateway(owner.Gateway.Id, "GW-M001", "0" + owner.Gateway.Id[2..], SimulatedProduct.MultiV2x));
    private readonly EventHubsProducerClient _producer = new(endpoint, token, new EventHubsProducerClientOptions
    {
        Transport = new HttpClientTransport(client),
        Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(75) },
    });

    private readonly List<SentEvent> _pending = [];
    private string? _lastBucket;

    public Owner Owner => owner;

    public List<SentEvent> Sent { get; } = [];

    /// <summary>Sends until <paramref name="generating"/> ends, then until everything made is accepted or <paramref name="giveUp"/> ends.</summary>
    public async Task RunAsync(RequestLog log, CancellationToken generating, CancellationToken giveUp)
    {
        var next = DateTimeOffset.UtcNow;
        while (!giveUp.IsCancellationRequested)
        {
            if (!generating.IsCancellationRequested && DateTimeOffset.UtcNow >= next)
            {
                _pending.Add(Next(log.Phase, DateTimeOffset.UtcNow));
                next = DateTimeOffset.UtcNow + Interval;
            }

            if (_pending.Count == 0 && generating.IsCancellationRequested)
            {
                return;
            }

            var accepted = _pending.Count > 0
                && await log.SendTelemetryAsync(() => _producer.SendBatchAsync(TelemetrySender.ToOutgoing(_pending.Select(e => e.Reading)).ToList()));
            if (accepted)
            {
                _pending.Clear();
            }

            var wait = accepted || _pending.Count == 0 ? next - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(2);
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, CancellationToken.None);
        }
    }

    public int Unsent => _pending.Count;

    private SentEvent Next(string phase, DateTimeOffset now)
    {
        var reading = _household.Next(now, now, Interval);
        var bucket = TelemetryRollups.FiveMinuteKey(reading.Ts);
        var sent = new SentEvent(phase, reading with { EvW = bucket == _lastBucket ? 0 : MarkerW, HasEvCharger = true });
        _lastBucket = bucket;
        Sent.Add(sent);
        return sent;
    }
}
