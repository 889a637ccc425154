using System.Globalization;
using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage.Tables;

namespace KpNet.Telemetry;

/// <summary>
/// History rollups (table TelemetryRollups, PartitionKey = gateway ID, so a gateway's rows go in entity group
/// transactions):
/// <list type="bullet">
/// <item>"5m-yyyyMMddHHmm" (UTC start): per power flow the sums of its positive and negative parts and the sample count,
/// the average W, the SoC averages, and the energies (kWh = average W × 5 min). The events counted, by (boot, seq), are
/// kept in the row (<see cref="SeqSet"/>), so a replayed, duplicated or late event is counted once; at most
/// <see cref="MaxEventsPerBucket"/> of them.</item>
/// <item>"1h-yyyyMMddHH" (UTC) and "1d-yyyyMMdd" (the day in Japan, UTC+9): energies summed from the 5-minute rows of the
/// hour and the hour rows of the day, recomputed rather than incremented, so they are always what their parts say.</item>
/// </list>
/// Sign conventions (api.md's example balances pv + grid + battery = load): grid.w &gt; 0 is bought, &lt; 0 sold;
/// battery.w &gt; 0 is discharging, &lt; 0 charging; ev.w &gt; 0 is charging the car, &lt; 0 discharging it (V2X).
/// </summary>
public sealed partial class TelemetryRollups(TelemetryStorage storage, GatewayCache<CachedRollups> cache, ILogger<TelemetryRollups> logger)
{
    /// <summary>
    /// Sized for a 2 GB instance: a gateway costs ~5 KB early in the Japan day and ~21 KB at its end (measured:
    /// <see cref="CachedRollups"/>), so at most ~0.4 GB. A million gateways over 32 partitions is ~31,000 per partition;
    /// past the bound, gateways are read as before (1 point read + 2 queries) — cheaper than doubling instance memory.
    /// </summary>
    public const int MaxCachedGateways = 20_000;

    /// <summary>
    /// A gateway sends one event a minute, 5 a bucket. Past this many in one bucket (a burst of 24 times that, twice the
    /// simulator's 5-second default) its further events of the bucket are set aside as
    /// <see cref="TelemetryRejectionReason.RateExceeded"/>. It also bounds the row whatever the seqs: its
    /// <see cref="Seqs"/> hold at most this many (boot, seq) pairs of up to 19 digits each, under 10 KB of the 64 KiB a
    /// string property holds.
    /// </summary>
    public const int MaxEventsPerBucket = 120;

    public const string TableName = "TelemetryRollups";
    public static readonly TimeSpan BucketLength = TimeSpan.FromMinutes(5);

    public const string Seqs = "Seqs";
    public const string Events = "Events";
    public const string Buckets = "Buckets";

    /// <summary>Energy name → (flow, positive part?).</summary>
    public static readonly IReadOnlyList<(string Name, string Flow, bool Positive)> Energies =
    [
        ("PvGeneratedKWh", "Pv", true),
        ("ConsumedKWh", "Load", true),
        ("BoughtKWh", "Grid", true),
        ("SoldKWh", "Grid", false),
        ("BatteryDischargedKWh", "Battery", true),
        ("BatteryChargedKWh", "Battery", false),
        ("EvChargedKWh", "Ev", true),
        ("EvDischargedKWh", "Ev", false),
    ];

    private const int MaxAttempts = 10;
    private const int MaxActionsPerTransaction = 100;
    private static readonly string[] Flows = ["Pv", "Battery", "Ev", "Grid", "Load"];

    public static string FiveMinuteKey(DateTimeOffset ts)
    {
        var utc = ts.UtcDateTime;
        var start = new DateTime(utc.Ticks - (utc.Ticks % BucketLength.Ticks), DateTimeKind.Utc);
        return "5m-" + start.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
    }

    public static string HourKey(DateTimeOffset ts) => "1h-" + ts.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    public static string DayKey(DateTimeOffset ts) => "1d-" + JapanTime.Of(ts).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <returns>How many rows were written, and the events past <see cref="MaxEventsPerBucket"/>, which were not counted.</returns>
    public async Task<(int RowsWritten, IReadOnlyList<TelemetryEvent> RateExceeded)> ApplyAsync(
        string gatewayId, IReadOnlyList<TelemetryEvent> events, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryApplyAsync(gatewayId, events, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
            {
                cache.Forget(gatewayId);
                LogRollupRace(gatewayId, e.Status, attempt);
            }
            catch
            {
                // A failed transaction may still have committed: what the cache holds is unknown now.
                cache.Forget(gatewayId);
                throw;
            }
        }
    }

    /// <remarks>
    /// Correctness rests on the ETags, never on the cache: every write is conditional (Add answers 409 if the row exists,
    /// UpdateReplace 412 if it changed since we saw it) and a conflict forgets the cached rows and recomputes from storage.
    /// A 5-minute row is never written without its hour and day rows in the same transaction, and a new one always changes
    /// them (their <see cref="Buckets"/> grow), as new samples change their energies. So a part that another instance
    /// wrote after we saw its parent has changed the parent's ETag, and our write of that parent fails instead of
    /// dropping the part; and an hour whose row a cached day lacks has no 5-minute rows (had another instance just
    /// created some, it rewrote the day row too, and our write of the day row fails). Storage is read the same way,
    /// top-down (day row, hour rows, 5-minute rows), so a part written between two of our reads is caught the same way.
    /// The one gap: more than 100 changed rows take several transactions, 5-minute rows first, and another writer can
    /// sum the hour without them until our later transaction conflicts and recomputes (or the host's retry does).
    /// </remarks>
    private async Task<(int RowsWritten, IReadOnlyList<TelemetryEvent> RateExceeded)> TryApplyAsync(
        string gatewayId, IReadOnlyList<TelemetryEvent> events, CancellationToken cancellationToken)
    {
        var table = (await storage.OfGatewayAsync(gatewayId, cancellationToken)).Rollups;
        var hours = events.Select(e => HourStart(e.Ts)).Distinct().Order().ToList();
        var days = hours.Select(JapanDayStart).Distinct().ToList();
        var cached = cache.Find(gatewayId);

        // Everything the batch touches, as stored: the day rows, the hour rows of each day, the 5-minute rows of each hour.
        var stored = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        foreach (var day in days)
        {
            if (cached?.Day == day)
            {
                CopyCached(cached, DayKey(day), DayKey(day), stored);
                CopyCached(cached, HourKey(day), HourKey(day.AddDays(1).AddTicks(-1)), stored);
                continue;
            }

            if (await table.GetEntityIfExistsAsync<TableEntity>(gatewayId, DayKey(day), cancellationToken: cancellationToken) is { HasValue: true } dayRow)
            {
                stored[dayRow.Value!.RowKey] = dayRow.Value;
            }

            await LoadRangeAsync(table, gatewayId, HourKey(day), HourKey(day.AddDays(1).AddTicks(-1)), stored, cancellationToken);
        }

        foreach (var hour in hours)
        {
            var (from, to) = (FiveMinuteKey(hour), FiveMinuteKey(hour.AddHours(1).AddTicks(-1)));
            if (cached?.Hour == hour)
            {
                CopyCached(cached, from, to, stored);
            }
            else if (cached?.Day != JapanDayStart(hour) || stored.ContainsKey(HourKey(hour)))
            {
                await LoadRangeAsync(table, gatewayId, from, to, stored, cancellationToken);
            }
        }

        // The cache keeps older 5-minute rows as their sums only; one that gets events is read whole (late events only).
        foreach (var key in events.Select(e => FiveMinuteKey(e.Ts)).Distinct())
        {
            if (stored.TryGetValue(key, out var row) && row.GetString(Seqs) is null)
            {
                stored[key] = (await table.GetEntityAsync<TableEntity>(gatewayId, key, cancellationToken: cancellationToken)).Value;
            }
        }

        var current = new Dictionary<string, TableEntity>(stored, StringComparer.Ordinal);
        var changed = new List<TableEntity>();
        var rateExceeded = new List<TelemetryEvent>();

        foreach (var bucket in events.GroupBy(e => FiveMinuteKey(e.Ts)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var row = Copy(stored.GetValueOrDefault(bucket.Key), gatewayId, bucket.Key);
            if (AddEvents(row, bucket, rateExceeded))
            {
                current[bucket.Key] = row;
                changed.Add(row);
            }
        }

        foreach (var hour in hours)
        {
            var key = HourKey(hour);
            var parts = RowsBetween(current, FiveMinuteKey(hour), FiveMinuteKey(hour.AddHours(1).AddTicks(-1)));
            if (Summed(gatewayId, key, parts, stored.GetValueOrDefault(key)) is { } row)
            {
                current[key] = row;
                changed.Add(row);
            }
        }

        foreach (var day in days)
        {
            var key = DayKey(day);
            var parts = RowsBetween(current, HourKey(day), HourKey(day.AddDays(1).AddTicks(-1)));
            if (Summed(gatewayId, key, parts, stored.GetValueOrDefault(key)) is { } row)
            {
                current[key] = row;
                changed.Add(row);
            }
        }

        // In order (5-minute rows, hours, days), so an interrupted write is completed by the retry's recomputation.
        for (var offset = 0; offset < changed.Count; offset += MaxActionsPerTransaction)
        {
            var rows = changed.Skip(offset).Take(MaxActionsPerTransaction).ToList();
            var actions = rows.Select(row => stored.TryGetValue(row.RowKey, out var old)
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, old.ETag)
                : new TableTransactionAction(TableTransactionActionType.Add, row)).ToList();
            var responses = (await table.SubmitTransactionAsync(actions, cancellationToken)).Value;
            for (var i = 0; i < rows.Count; i++)
            {
                rows[i].ETag = responses[i].Headers.ETag ?? default;
            }
        }

        Remember(gatewayId, hours[^1], current);
        return (changed.Count, rateExceeded);
    }

    /// <summary>Caches what storage now holds for the hour and its day, the older 5-minute rows as their sums.</summary>
    private void Remember(string gatewayId, DateTimeOffset hour, Dictionary<string, TableEntity> current)
    {
        var day = JapanDayStart(hour);
        var fiveMinuteRows = RowsBetween(current, FiveMinuteKey(hour), FiveMinuteKey(hour.AddHours(1).AddTicks(-1)));
        if (fiveMinuteRows.Count == 0)
        {
            cache.Forget(gatewayId);
            return;
        }

        var sumsOnly = fiveMinuteRows.Take(fiveMinuteRows.Count - 1)
            .Concat(RowsBetween(current, HourKey(day), HourKey(day.AddDays(1).AddTicks(-1))))
            .Concat(current.TryGetValue(DayKey(day), out var dayRow) ? [dayRow] : []);
        var cached = new CachedRollups(hour, fiveMinuteRows[^1], sumsOnly);

        // Without an ETag a later write would be unconditional: read storage again instead.
        if (!cached.AllHaveETags)
        {
            cache.Forget(gatewayId);
            return;
        }

        cache.Remember(gatewayId, cached);
    }

    private static void CopyCached(CachedRollups cached, string fromKey, string toKey, Dictionary<string, TableEntity> into)
    {
        foreach (var row in cached.RowsBetween(fromKey, toKey))
        {
            into[row.RowKey] = row;
        }
    }

    private static async Task LoadRangeAsync(
        TableClient table, string gatewayId, string fromKey, string toKey, Dictionary<string, TableEntity> into, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {gatewayId} and RowKey ge {fromKey} and RowKey le {toKey}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            into[entity.RowKey] = entity;
        }
    }

    private static List<TableEntity> RowsBetween(Dictionary<string, TableEntity> rows, string fromKey, string toKey) =>
        rows.Where(r => string.CompareOrdinal(r.Key, fromKey) >= 0 && string.CompareOrdinal(r.Key, toKey) <= 0)
            .OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Value).ToList();

    private static TableEntity Copy(TableEntity? stored, string gatewayId, string rowKey)
    {
        var row = new TableEntity(gatewayId, rowKey);
        if (stored is not null)
        {
            foreach (var (name, value) in stored)
            {
                if (name is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
                {
                    row[name] = value;
                }
            }
        }

        return row;
    }

    /// <summary>Counts the events new to the row, up to <see cref="MaxEventsPerBucket"/>; the others go to <paramref name="rateExceeded"/>.</summary>
    /// <returns>Whether any event was counted.</returns>
    private static bool AddEvents(TableEntity row, IEnumerable<TelemetryEvent> events, List<TelemetryEvent> rateExceeded)
    {
        var seqs = SeqSet.Parse(row.GetString(Seqs));
        var added = false;
        foreach (var e in events)
        {
            if (seqs.Contains(e.Boot, e.Seq))
            {
                continue;
            }

            var counted = row.GetInt32(Events) ?? 0;
            if (counted >= MaxEventsPerBucket)
            {
                rateExceeded.Add(e);
                continue;
            }

            seqs.Add(e.Boot, e.Seq);
            added = true;
            row[Events] = counted + 1;
            AddSample(row, "Pv", e.PvW);
            AddSample(row, "Battery", e.BatteryW);
            AddSample(row, "Ev", e.EvW);
            AddSample(row, "Grid", e.GridW);
            AddSample(row, "Load", e.LoadW);
            AddAverageSample(row, "BatterySoc", e.BatterySoc);
            AddAverageSample(row, "EvSoc", e.EvSoc);
        }

        if (!added)
        {
            return false;
        }

        row[Seqs] = seqs.ToString();
        var hours = BucketLength.TotalHours;
        foreach (var flow in Flows)
        {
            var samples = row.GetInt32(flow + "Samples") ?? 0;
            if (samples > 0)
            {
                row[flow + "AvgW"] = ((row.GetNumber(flow + "PosWSum") ?? 0) - (row.GetNumber(flow + "NegWSum") ?? 0)) / samples;
            }
        }

        foreach (var (name, flow, positive) in Energies)
        {
            var samples = row.GetInt32(flow + "Samples") ?? 0;
            var sum = row.GetNumber(flow + (positive ? "PosWSum" : "NegWSum")) ?? 0;
            row[name] = samples > 0 ? sum / samples * hours / 1000 : 0.0;
        }

        foreach (var soc in new[] { "BatterySoc", "EvSoc" })
        {
            if ((row.GetInt32(soc + "Samples") ?? 0) is var n and > 0)
            {
                row[soc + "Avg"] = (row.GetNumber(soc + "Sum") ?? 0) / n;
            }
        }

        return true;
    }

    private static void AddSample(TableEntity row, string flow, double? watts)
    {
        if (watts is not { } w)
        {
            return;
        }

        var part = w >= 0 ? "PosWSum" : "NegWSum";
        row[flow + part] = (row.GetNumber(flow + part) ?? 0) + Math.Abs(w);
        var other = w >= 0 ? "NegWSum" : "PosWSum";
        row[flow + other] = row.GetNumber(flow + other) ?? 0.0;
        row[flow + "Samples"] = (row.GetInt32(flow + "Samples") ?? 0) + 1;
    }

    private static void AddAverageSample(TableEntity row, string name, double? value)
    {
        if (value is { } v)
        {
            row[name + "Sum"] = (row.GetNumber(name + "Sum") ?? 0) + v;
            row[name + "Samples"] = (row.GetInt32(name + "Samples") ?? 0) + 1;
        }
    }

    /// <summary>The energies of the parts summed into the row, or null when the stored row already says the same.</summary>
    private static TableEntity? Summed(string gatewayId, string rowKey, List<TableEntity> parts, TableEntity? stored)
    {
        var row = new TableEntity(gatewayId, rowKey) { [Buckets] = parts.Sum(p => p.GetInt32(Buckets) ?? 1) };
        foreach (var (name, _, _) in Energies)
        {
            row[name] = parts.Sum(p => p.GetNumber(name) ?? 0);
        }

        if (stored is not null && stored.GetInt32(Buckets) == row.GetInt32(Buckets)
            && Energies.All(e => Same(stored.GetNumber(e.Name) ?? 0, row.GetNumber(e.Name) ?? 0)))
        {
            return null;
        }

        return row;
    }

    private static bool Same(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

    private static DateTimeOffset HourStart(DateTimeOffset ts)
    {
        var utc = ts.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    public static DateTimeOffset JapanDayStart(DateTimeOffset ts) => JapanTime.StartOf(JapanTime.DateOf(ts)).ToUniversalTime();

    [LoggerMessage(EventId = 4011, EventName = "TelemetryRollupRace", Level = LogLevel.Debug, Message = "Rollups of gateway {GatewayId} changed under us ({Status}, attempt {Attempt}); recomputing")]
    private partial void LogRollupRace(string gatewayId, int status, int attempt);
}
