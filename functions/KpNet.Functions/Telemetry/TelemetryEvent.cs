namespace KpNet.Telemetry;

/// <summary>
/// One gateway telemetry event (api.md "Telemetry events"), as parsed and validated by <see cref="TelemetryParser"/>.
/// (<see cref="GatewayId"/>, <see cref="Seq"/>) identifies it. Optional blocks that were absent (or null) are null.
/// </summary>
public sealed class TelemetryEvent
{
    public required string GatewayId { get; init; }

    public required long Seq { get; init; }

    public required DateTimeOffset Ts { get; init; }

    public string? Model { get; init; }

    public string? Serial { get; init; }

    public string? Fw { get; init; }

    public double? PvW { get; init; }

    public double? BatterySoc { get; init; }

    public double? BatteryW { get; init; }

    public double? BatteryTempC { get; init; }

    public bool? EvConnected { get; init; }

    public double? EvSoc { get; init; }

    public double? EvW { get; init; }

    public double? GridW { get; init; }

    public double? LoadW { get; init; }

    /// <summary>The PCS units, ordered as sent; unit numbers are unique. Null when the event has no units array.</summary>
    public IReadOnlyList<TelemetryUnit>? Units { get; init; }
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

    /// <summary>Storage refused the gateway's rows in a way no retry cures; the field names the error (a storage error code, or the exception type).</summary>
    StorageRejected,
}

/// <summary>A rejection with the JSON path it concerns (e.g. "battery.soc", "units[1].no"), empty for the whole event.</summary>
public readonly record struct TelemetryRejection(TelemetryRejectionReason Reason, string Field)
{
    public override string ToString() => string.IsNullOrEmpty(Field) ? Reason.ToString() : $"{Reason} {Field}";
}
