using System.Collections.Concurrent;

namespace KpNet.Telemetry;

/// <summary>
/// What this instance last read or committed of each gateway's rows (with their ETags), so a steady-state batch is
/// applied without reading them again: a gateway's events always come through the same Event Hubs partition, so to
/// the same instance while it owns that partition. A hint only: every write stays conditional on the cached ETags and
/// a conflict forgets the gateway (see <see cref="TelemetryRollups"/> and <see cref="GatewayStatusWriter"/>).
/// Thread-safe and bounded: past <see cref="MaxGateways"/> an arbitrary whole entry is dropped, which only costs reads.
/// </summary>
public sealed class GatewayCache<T>(int maxGateways)
    where T : class
{
    private readonly ConcurrentDictionary<string, T> _entries = new(StringComparer.Ordinal);
    private int _count;

    public int MaxGateways => maxGateways;

    public int Count => Volatile.Read(ref _count);

    public T? Find(string gatewayId) => _entries.GetValueOrDefault(gatewayId);

    public void Remember(string gatewayId, T value)
    {
        while (true)
        {
            if (_entries.TryGetValue(gatewayId, out var old))
            {
                if (_entries.TryUpdate(gatewayId, value, old))
                {
                    return;
                }
            }
            else if (_entries.TryAdd(gatewayId, value))
            {
                if (Interlocked.Increment(ref _count) > maxGateways)
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
