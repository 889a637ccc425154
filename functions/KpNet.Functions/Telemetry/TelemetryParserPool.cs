using System.Collections.Concurrent;

namespace KpNet.Telemetry;

/// <summary>
/// One <see cref="TelemetryParser"/> per Event Hubs partition, kept between its batches: a gateway's events always come
/// through the same partition, so its strings and its unchanged units are known from its previous event even when each
/// batch holds one event per gateway. A partition's batches come one at a time; should two overlap (a rebalance), the
/// second simply gets a fresh parser.
/// </summary>
public sealed class TelemetryParserPool(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TelemetryParser> _idle = new(StringComparer.Ordinal);

    public TelemetryParser Rent(string? partitionId)
    {
        var parser = _idle.TryRemove(partitionId ?? "", out var idle) ? idle : new TelemetryParser(time);
        parser.StartBatch();
        return parser;
    }

    public void Return(string? partitionId, TelemetryParser parser) => _idle[partitionId ?? ""] = parser;
}
