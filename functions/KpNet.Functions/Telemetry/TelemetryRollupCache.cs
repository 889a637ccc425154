using System.Collections.Concurrent;
using KpNet.Azure.Storage.Tables;

namespace KpNet.Telemetry;

/// <summary>
/// Each gateway's rollup rows of the hour and the Japan day it last touched, as this instance last read or committed
/// them (with their ETags), so a steady-state batch is applied without reading them again. A hint only: every write
/// stays conditional on these ETags, and a conflict forgets the gateway (see <see cref="TelemetryRollups"/>).
/// </summary>
public sealed class TelemetryRollupCache
{
    /// <summary>
    /// About one instance's share of a million gateways over 32 Event Hubs partitions, with room. An entry keeps one full
    /// 5-minute row (~3 KB) and the other rows as their sums (~1 KB each, at most 11 + 24 + 1 late in the day), so
    /// ~15–40 KB: a few hundred MB to ~2 GB when full. Past the bound whole entries are dropped, which only costs reads.
    /// </summary>
    public const int MaxGateways = 50_000;

    private readonly ConcurrentDictionary<string, CachedRollups> _entries = new(StringComparer.Ordinal);
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public CachedRollups? Find(string gatewayId) => _entries.GetValueOrDefault(gatewayId);

    public void Remember(string gatewayId, CachedRollups rollups)
    {
        while (true)
        {
            if (_entries.TryGetValue(gatewayId, out var old))
            {
                if (_entries.TryUpdate(gatewayId, rollups, old))
                {
                    return;
                }
            }
            else if (_entries.TryAdd(gatewayId, rollups))
            {
                if (Interlocked.Increment(ref _count) > MaxGateways)
                {
                    DropOneExcept(gatewayId);
                }

                return;
            }
        }
    }

    public void Forget(string gatewayId)
    {
        if (_entries.TryRemove(gatewayId, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    // The enumerator is lazy and takes no locks, so this costs a step or two, not a scan. String hashes are randomised
    // per process, so which gateway goes is arbitrary.
    private void DropOneExcept(string keep)
    {
        foreach (var (gatewayId, _) in _entries)
        {
            if (!string.Equals(gatewayId, keep, StringComparison.Ordinal) && _entries.TryRemove(gatewayId, out _))
            {
                Interlocked.Decrement(ref _count);
                return;
            }
        }
    }
}

/// <summary>
/// A gateway's rows of <see cref="Hour"/> (its 5-minute rows) and of that hour's Japan day (hour rows and the day row),
/// never modified once cached. 5-minute rows other than the newest are kept as their sums only (no <c>Seqs</c>).
/// </summary>
public sealed class CachedRollups(DateTimeOffset hour, IReadOnlyList<TableEntity> rows)
{
    public DateTimeOffset Hour { get; } = hour;

    public DateTimeOffset Day { get; } = TelemetryRollups.JapanDayStart(hour);

    public IReadOnlyList<TableEntity> Rows { get; } = rows;
}
