using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage.Tables;

namespace KpNet.Telemetry;

/// <summary>
/// A gateway's rows of <see cref="Hour"/> (its 5-minute rows) and of that hour's Japan day (hour rows and the day row),
/// never modified once cached. The newest 5-minute row is kept whole; the others only as what their parents are summed
/// from (<see cref="TelemetryRollups.Buckets"/> and the energies), compactly: ~0.3 KB a row (plus its key and ETag
/// strings) instead of ~1.3 KB as a <see cref="TableEntity"/>. Measured at the end of a Japan day (the newest row whole,
/// 36 rows as sums): ~21 KB a gateway, against ~56 KB as entities.
/// </summary>
public sealed class CachedRollups
{
    private readonly TableEntity _newest;
    private readonly RowSums[] _sums;

    /// <param name="sumsOnly">Rows of which only the sums are kept.</param>
    public CachedRollups(DateTimeOffset hour, TableEntity newest, IEnumerable<TableEntity> sumsOnly)
    {
        Hour = hour;
        Day = TelemetryRollups.JapanDayStart(hour);
        _newest = newest;
        _sums = [.. sumsOnly.Select(RowSums.Of)];
    }

    public DateTimeOffset Hour { get; }

    public DateTimeOffset Day { get; }

    /// <summary>Whether every cached row has an ETag, so that every write made from them stays conditional.</summary>
    public bool AllHaveETags => _newest.ETag != default && _sums.All(s => s.ETag != default);

    /// <summary>The cached rows with keys from <paramref name="fromKey"/> to <paramref name="toKey"/>, as entities.</summary>
    public IEnumerable<TableEntity> RowsBetween(string fromKey, string toKey)
    {
        if (InRange(_newest.RowKey, fromKey, toKey))
        {
            yield return _newest;
        }

        foreach (var sums in _sums)
        {
            if (InRange(sums.RowKey, fromKey, toKey))
            {
                yield return sums.ToEntity(_newest.PartitionKey);
            }
        }
    }

    private static bool InRange(string key, string fromKey, string toKey) =>
        string.CompareOrdinal(key, fromKey) >= 0 && string.CompareOrdinal(key, toKey) <= 0;

    private sealed record RowSums(string RowKey, ETag ETag, int? Buckets, double[] Energies)
    {
        public static RowSums Of(TableEntity row) =>
            new(row.RowKey, row.ETag, row.GetInt32(TelemetryRollups.Buckets), [.. Measurement.Energies.Select(e => row.GetNumber(e.Name) ?? 0.0)]);

        public TableEntity ToEntity(string partitionKey)
        {
            var row = new TableEntity(partitionKey, RowKey) { ETag = ETag };
            if (Buckets is { } buckets)
            {
                row[TelemetryRollups.Buckets] = buckets;
            }

            for (var i = 0; i < Energies.Length; i++)
            {
                row[Measurement.Energies[i].Name] = Energies[i];
            }

            return row;
        }
    }
}
