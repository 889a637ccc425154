namespace KpNet.Telemetry;

/// <summary>
/// A batch's valid events of one gateway, coalesced in memory: the newest event (<see cref="EventOrder"/>: the status to
/// show), the earliest time (for 初回通信日時), and the newest of each value that not every event carries (units, identity).
/// </summary>
public sealed class GatewayBatch(string gatewayId)
{
    private readonly List<int> _eventIndexes = [];
    private readonly List<TelemetryEvent> _events = [];

    public string GatewayId { get; } = gatewayId;

    public TelemetryEvent? Latest { get; private set; }

    public DateTimeOffset EarliestTs { get; private set; } = DateTimeOffset.MaxValue;

    /// <summary>The newest event with a non-empty units array: the unit configuration to keep.</summary>
    public TelemetryEvent? LatestWithUnits { get; private set; }

    public (string Value, TelemetryEvent From)? Model { get; private set; }

    public (string Value, TelemetryEvent From)? Serial { get; private set; }

    public (string Value, TelemetryEvent From)? Fw { get; private set; }

    /// <summary>Where the events sit in the batch, to set them aside if the gateway turns out unknown.</summary>
    public IReadOnlyList<int> EventIndexes => _eventIndexes;

    /// <summary>Every valid event of the gateway in the batch, for the rollups.</summary>
    public IReadOnlyList<TelemetryEvent> Events => _events;

    /// <summary>The batch without <paramref name="setAside"/>, and where those events sit in the batch.</summary>
    public (GatewayBatch Kept, IReadOnlyList<int> SetAsideIndexes) Without(IReadOnlyCollection<TelemetryEvent> setAside)
    {
        var excluded = setAside.ToHashSet();
        var kept = new GatewayBatch(GatewayId);
        var setAsideIndexes = new List<int>(setAside.Count);
        for (var i = 0; i < _events.Count; i++)
        {
            if (excluded.Contains(_events[i]))
            {
                setAsideIndexes.Add(_eventIndexes[i]);
            }
            else
            {
                kept.Add(_events[i], _eventIndexes[i]);
            }
        }

        return (kept, setAsideIndexes);
    }

    public void Add(TelemetryEvent telemetryEvent, int index)
    {
        _eventIndexes.Add(index);
        _events.Add(telemetryEvent);
        var order = telemetryEvent.Order;
        if (Latest is null || order > Latest.Order)
        {
            Latest = telemetryEvent;
        }

        if (telemetryEvent.Ts < EarliestTs)
        {
            EarliestTs = telemetryEvent.Ts;
        }

        if (telemetryEvent.Units is { Count: > 0 } && (LatestWithUnits is null || order > LatestWithUnits.Order))
        {
            LatestWithUnits = telemetryEvent;
        }

        if (telemetryEvent.Model is { } model && (Model is null || order > Model.Value.From.Order))
        {
            Model = (model, telemetryEvent);
        }

        if (telemetryEvent.Serial is { } serial && (Serial is null || order > Serial.Value.From.Order))
        {
            Serial = (serial, telemetryEvent);
        }

        if (telemetryEvent.Fw is { } fw && (Fw is null || order > Fw.Value.From.Order))
        {
            Fw = (fw, telemetryEvent);
        }
    }
}
