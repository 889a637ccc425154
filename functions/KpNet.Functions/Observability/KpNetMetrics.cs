using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KpNet.Observability;

public enum AuthFailureKind
{
    Login,
    Gateway,
    DealerLink,
    Recovery,
}

/// <summary>
/// The service's own metrics, one <see cref="Meter"/> (<see cref="MeterName"/>) with every instrument an operator watches.
/// Attribute values come from small fixed sets (outcomes, reasons, known alert codes, mail kinds), never from what a
/// gateway or a user typed, so no series can multiply without bound and no personal data becomes an attribute.
/// </summary>
public sealed class KpNetMetrics
{
    public const string MeterName = "KpNet";

    private static readonly KeyValuePair<string, object?> Applied = new("outcome", "applied");
    private static readonly KeyValuePair<string, object?> DeadLettered = new("outcome", "dead_lettered");
    private static readonly KeyValuePair<string, object?> UnknownGateway = new("outcome", "unknown_gateway");

    private readonly Counter<long> _telemetryEvents;
    private readonly Histogram<double> _telemetryLag;
    private readonly Histogram<double> _telemetryBatchDuration;
    private readonly Counter<long> _alertChanges;
    private readonly Counter<long> _mailSent;
    private readonly Counter<long> _mailFailed;
    private readonly Histogram<double> _mailOutboxAge;
    private readonly Counter<long> _authFailures;

    public KpNetMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _telemetryEvents = meter.CreateCounter<long>("kpnet.telemetry.events", "{event}", "Telemetry events handled, by outcome (and dead-letter reason)");
        _telemetryLag = meter.CreateHistogram<double>("kpnet.telemetry.lag", "s", "From an event's enqueued time in Event Hubs to its being applied");
        _telemetryBatchDuration = meter.CreateHistogram<double>("kpnet.telemetry.batch.duration", "s", "How long one telemetry batch took to apply");
        _alertChanges = meter.CreateCounter<long>("kpnet.alerts.changes", "{alert}", "Gateway alerts raised or cleared");
        _mailSent = meter.CreateCounter<long>("kpnet.mail.sent", "{mail}", "Mails accepted for delivery");
        _mailFailed = meter.CreateCounter<long>("kpnet.mail.failed", "{mail}", "Mails refused for good");
        _mailOutboxAge = meter.CreateHistogram<double>("kpnet.mail.outbox.age", "s", "From a mail's queueing to its being sent");
        _authFailures = meter.CreateCounter<long>("kpnet.auth.failures", "{failure}", "Failed or refused checks of a secret, by kind; blocked when the answer was a lockout");
    }

    public void TelemetryApplied(long count)
    {
        if (count > 0)
        {
            _telemetryEvents.Add(count, Applied);
        }
    }

    public void TelemetryUnknownGateway(long count)
    {
        if (count > 0)
        {
            _telemetryEvents.Add(count, UnknownGateway);
        }
    }

    public void TelemetryDeadLettered(string reason, long count)
    {
        if (count > 0)
        {
            _telemetryEvents.Add(count, DeadLettered, new("reason", reason));
        }
    }

    public void TelemetryLag(double seconds) => _telemetryLag.Record(seconds);

    public void TelemetryBatchDuration(TimeSpan elapsed) => _telemetryBatchDuration.Record(elapsed.TotalSeconds);

    public void AlertChanged(bool raised, string code) =>
        _alertChanges.Add(1, new("change", raised ? "raised" : "cleared"), new("code", code));

    public void MailSent(string kind, TimeSpan? outboxAge)
    {
        _mailSent.Add(1, new KeyValuePair<string, object?>("kind", kind));
        if (outboxAge is { } age)
        {
            _mailOutboxAge.Record(Math.Max(0, age.TotalSeconds), new KeyValuePair<string, object?>("kind", kind));
        }
    }

    public void MailFailed(string kind) => _mailFailed.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void AuthFailure(AuthFailureKind kind, bool blocked) =>
        _authFailures.Add(1, new("kind", KindName(kind)), new("blocked", blocked));

    private static string KindName(AuthFailureKind kind) => kind switch
    {
        AuthFailureKind.Login => "login",
        AuthFailureKind.Gateway => "gateway",
        AuthFailureKind.DealerLink => "dealer_link",
        AuthFailureKind.Recovery => "recovery",
        _ => throw new UnreachableException(),
    };
}
