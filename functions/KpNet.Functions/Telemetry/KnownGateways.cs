using System.Collections.Concurrent;

namespace KpNet.Telemetry;

/// <summary>
/// Answers "is this gateway in the inventory?" for a batch's gateway IDs with one point read per ID not yet known, which
/// also records a new gateway's telemetry shard (<see cref="TelemetryStorage.ContactAsync"/>). Positive answers are kept
/// (inventory rows are never deleted) up to <see cref="TelemetryStorage.MaxKnownGateways"/>; negative ones are not, so
/// a gateway imported later is accepted from its next batch on, and IDs others choose cannot fill the memory.
/// </summary>
public sealed class KnownGateways(TelemetryStorage storage)
{
    private const int MaxConcurrentReads = 16;

    public async Task<IReadOnlySet<string>> FindKnownAsync(IReadOnlyCollection<string> gatewayIds, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        var toLookUp = new List<string>();
        foreach (var id in gatewayIds)
        {
            if (storage.IsKnown(id))
            {
                known.Add(id);
            }
            else
            {
                toLookUp.Add(id);
            }
        }

        if (toLookUp.Count == 0)
        {
            return known;
        }

        var found = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(
            toLookUp,
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentReads, CancellationToken = cancellationToken },
            async (id, ct) =>
            {
                if (await storage.ContactAsync(id, ct))
                {
                    found.Add(id);
                }
            });

        known.UnionWith(found);
        return known;
    }
}
