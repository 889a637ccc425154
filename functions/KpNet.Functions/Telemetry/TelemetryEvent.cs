using Azure.Data.Tables;

namespace KpNet.Telemetry;

/// <summary>
/// One gateway telemetry event (api.md "Telemetry events"), as parsed and validated by <see cref="TelemetryParser"/>.
/// (<see cref="GatewayId"/>, <see cref="Boot"/>, <see cref="Seq"/>) identifies it, and <see cref="Order"/> tells which of
/// two events is newer. Optional values that were absent (or null) are null.
/// </summary>
public sealed class TelemetryEvent
{
    private readonly Measurements _measurements;

    public TelemetryEvent()
    {
    }

    public TelemetryEvent(in Measurements measurements) => _measurements = measurements;

    public required string GatewayId { get; init; }

    /// <summary>Changes each time the gateway starts its seq again (a boot counter, or the boot time); 0 when not sent.</summary>
    public long Boot { get; init; }

    public required long Seq { get; init; }

    public required DateTimeOffset Ts { get; init; }

    public EventOrder Order => new(Ts, Boot, Seq);

    public string? Model { get; init; }

    public string? Serial { get; init; }

    public string? Fw { get; init; }

    /// <summary>The measured values (<see cref="Measurement"/>); a value the event lacked is absent.</summary>
    /// <remarks>By reference, so that reading a value does not copy all the slots.</remarks>
    public ref readonly Measurements Measurements => ref _measurements;

    /// <summary>The PCS units, ordered as sent; unit numbers are unique. Null when the event has no units array.</summary>
    public IReadOnlyList<TelemetryUnit>? Units { get; init; }
}

/// <summary>
/// Which of a gateway's events is the newer: the later timestamp, then the later boot, then the higher seq. The timestamp
/// leads because it is the one value bounded by our own clock (the parser refuses one more than
/// <see cref="TelemetryParser.MaxClockSkew"/> ahead), so no event can hold a gateway's status or alerts for longer than
/// that. A gateway starts its seq again when it restarts, and a fault can send any seq or boot: they only order events
/// stamped in the same second.
/// </summary>
public readonly record struct EventOrder(DateTimeOffset Ts, long Boot, long Seq) : IComparable<EventOrder>
{
    public static bool operator <(EventOrder left, EventOrder right) => left.CompareTo(right) < 0;

    public static bool operator >(EventOrder left, EventOrder right) => left.CompareTo(right) > 0;

    public static bool operator <=(EventOrder left, EventOrder right) => left.CompareTo(right) <= 0;

    public static bool operator >=(EventOrder left, EventOrder right) => left.CompareTo(right) >= 0;

    /// <summary>The order stored in a row as {prefix}Ts, {prefix}Boot and {prefix}Seq; null when the row has none.</summary>
    public static EventOrder? Read(TableEntity row, string prefix) =>
        row.GetDateTimeOffset(prefix + nameof(Ts)) is { } ts && row.GetInt64(prefix + nameof(Seq)) is { } seq
            ? new EventOrder(ts, row.GetInt64(prefix + nameof(Boot)) ?? 0, seq)
            : null;

    public void WriteTo(TableEntity row, string prefix)
    {
        row[prefix + nameof(Ts)] = Ts;
        row[prefix + nameof(Boot)] = Boot;
        row[prefix + nameof(Seq)] = Seq;
    }

    /// <summary>Whether this is newer than <paramref name="other"/>; anything is newer than no event at all.</summary>
    public bool IsNewerThan(EventOrder? other) => other is not { } o || this > o;

    public int CompareTo(EventOrder other) =>
        Ts != other.Ts ? Ts.CompareTo(other.Ts) : Boot != other.Boot ? Boot.CompareTo(other.Boot) : Seq.CompareTo(other.Seq);
}

/// <summary>One PCS unit in an event: its number, identity, run status and current fault codes.</summary>
public sealed record TelemetryUnit(int No, string? Model, string? Serial, string? Status, IReadOnlyList<string> Faults);

/// <summary>Why an event was set aside. Stored as text in the dead-letter table, so keep the names stable.</summary>
public enum TelemetryRejectionReason
{
    MalformedJson,
    NotAnObject,
    UnsupportedVersion,
    MissingField,
    WrongType,
    InvalidGatewayId,
    InvalidTimestamp,
    TimestampInFuture,
    TimestampTooOld,
    OutOfRange,
    DuplicateUnit,
    TooLarge,
    UnknownGateway,

    /// <summary>Not sent as the publisher of the gateway it names (its partition key is another gateway's, or none).</summary>
    PublisherMismatch,

    /// <summary>One of more than <see cref="TelemetryRollups.MaxEventsPerBucket"/> events of its gateway in a 5-minute bucket: applied nowhere.</summary>
    RateExceeded,

    /// <summary>Storage refused the gateway's rows in a way no retry cures; the field names the error (a storage error code, or the exception type).</summary>
    StorageRejected,
}

/// <summary>A rejection with the JSON path it concerns (e.g. "battery.soc", "units[1].no"), empty for the whole event.</summary>
public readonly record struct TelemetryRejection(TelemetryRejectionReason Reason, string Field)
{
    public override string ToString() => string.IsNullOrEmpty(Field) ? Reason.ToString() : $"{Reason} {Field}";
}
