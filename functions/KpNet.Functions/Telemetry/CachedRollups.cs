using KpNet.Azure.Storage.Tables;

namespace KpNet.Telemetry;

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
