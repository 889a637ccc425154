using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace KpNet.Telemetry;

/// <summary>
/// Answers "is this gateway in the inventory?" for a batch's gateway IDs with one point read per ID not yet known.
/// Positive answers are cached for the life of the process (inventory rows are never deleted); negative ones are not,
/// so a gateway imported later is accepted from its next batch on.
/// </summary>
public sealed class KnownGateways(TelemetryTables tables)
{
    private const int MaxConcurrentReads = 16;
    private static readonly string[] KeyOnly = ["PartitionKey"];

    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.Ordinal);

    public async Task<IReadOnlySet<string>> FindKnownAsync(IReadOnlyCollection<string> gatewayIds, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        var toLookUp = new List<string>();
        foreach (var id in gatewayIds)
        {
            if (_known.ContainsKey(id))
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
                var row = await tables.Inventory.GetEntityIfExistsAsync<TableEntity>(id, "", KeyOnly, ct);
                if (row.HasValue)
                {
                    found.Add(id);
                }
            });

        foreach (var id in found)
        {
            _known.TryAdd(id, 0);
            known.Add(id);
        }

        return known;
    }
}
