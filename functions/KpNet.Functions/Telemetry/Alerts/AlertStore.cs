using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;

namespace KpNet.Telemetry.Alerts;

/// <summary>
/// What the gateway's alert partition says as a whole: the newest event evaluated, when it was last seen, what is open,
/// and how many alert changes it has committed (<see cref="Version"/>: commits are serialised by the row's ETag, so the
/// version orders them, and a copy of <see cref="OpenAlerts"/> elsewhere can tell whether it is older than another).
/// </summary>
public sealed record AlertSummary(EventOrder? Last, DateTimeOffset? LastSeenAt, string? SeenBucket, IReadOnlySet<string> Open, long Version, ETag ETag)
{
    public static readonly AlertSummary None = new(null, null, null, new HashSet<string>(StringComparer.Ordinal), 0, default);

    public OpenAlerts OpenAlerts => OpenAlerts.Of(Open, Version);
}

/// <summary>How many alerts a gateway has open and the most severe of them, as of the <see cref="AlertSummary.Version"/> it was read at.</summary>
public sealed record OpenAlerts(int Count, AlertSeverity? MostSevere, long Version)
{
    public static OpenAlerts Of(IEnumerable<string> openKeys, long version)
    {
        var severities = openKeys.Select(key => AlertCatalogue.Describe(AlertCondition.FromKey(key).Code).Severity).ToList();
        return new OpenAlerts(severities.Count, severities.Count == 0 ? null : severities.Max(), version);
    }

    public static OpenAlerts Of(IReadOnlyList<AlertOccurrence> open, long version) =>
        new(open.Count, open.Count == 0 ? null : open.Max(a => a.Severity), version);
}

/// <summary>Told after every committed alert change, so copies of a gateway's <see cref="OpenAlerts"/> elsewhere follow.</summary>
public interface IOpenAlertsListener
{
    Task OpenAlertsChangedAsync(string gatewayId, OpenAlerts open, CancellationToken cancellationToken);
}

/// <summary>The live state of one (gateway, unit, code): raised or cleared, and when it last caused a mail.</summary>
public sealed record AlertState(
    string GatewayId, string Key, bool Raised, DateTimeOffset RaisedAt, DateTimeOffset? ClearedAt, string HistoryRowKey,
    DateTimeOffset? LastMailedAt, bool RaiseMailed, ETag ETag);

/// <summary>One occurrence of an alert, as the monitoring API lists it.</summary>
public sealed record AlertOccurrence(string Id, int Unit, string Code, AlertSeverity Severity, DateTimeOffset RaisedAt, DateTimeOffset? ClearedAt);

/// <summary>
/// Table Alerts, PartitionKey = gateway ID, so one gateway's alert changes commit in one entity group transaction:
/// <list type="bullet">
/// <item>"summary": LastTs, LastBoot, LastSeq (the newest event evaluated), LastSeenAt, SeenBucket (its
/// <see cref="GatewayLastSeen"/> row), Open (the raised keys);</item>
/// <item>"{unit}-{code}": the live state of that alert (raised once, cleared once; the hold-off's last mail);</item>
/// <item>"h-{inverted ticks of raisedAt}-{unit}-{code}": history, one row per occurrence, newest first.</item>
/// </list>
/// </summary>
public sealed class AlertStore(TelemetryStorage storage)
{
    public const string TableName = "Alerts";
    public const string SummaryRowKey = "summary";
    private const string HistoryPrefix = "h-";
    private const string LastEvaluated = "Last";
    private const char OpenSeparator = '|';
    private const string VersionColumn = "Version";
    private const int MaxConcurrentReads = 16;
    private static readonly string[] OpenColumns = ["RowKey", "RaisedAt", "HistoryRowKey"];

    /// <summary>Commits one change of the gateway's alert partition, in its telemetry shard.</summary>
    public async Task SubmitAsync(string gatewayId, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken) =>
        await (await TableOfAsync(gatewayId, cancellationToken)).SubmitTransactionAsync(actions, cancellationToken);

    public async Task<AlertSummary> GetSummaryAsync(string gatewayId, CancellationToken cancellationToken)
    {
        var row = (await (await TableOfAsync(gatewayId, cancellationToken)).GetEntityIfExistsAsync<TableEntity>(gatewayId, SummaryRowKey, cancellationToken: cancellationToken)).ValueOrNull();
        return row is null ? AlertSummary.None : new AlertSummary(
            EventOrder.Read(row, LastEvaluated),
            row.GetDateTimeOffset("LastSeenAt"),
            row.GetString("SeenBucket"),
            (row.GetString("Open") ?? "").Split(OpenSeparator, StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
            row.GetInt64(VersionColumn) ?? 0,
            row.ETag);
    }

    public static TableTransactionAction WriteSummary(string gatewayId, AlertSummary previous, EventOrder? last, DateTimeOffset? lastSeenAt, string? seenBucket, IEnumerable<string> open)
    {
        var row = new TableEntity(gatewayId, SummaryRowKey)
        {
            ["Open"] = string.Join(OpenSeparator, open.Order(StringComparer.Ordinal)),
            [VersionColumn] = previous.Version + 1,
        };
        last?.WriteTo(row, LastEvaluated);
        if (lastSeenAt is { } seen)
        {
            row["LastSeenAt"] = seen;
            row["SeenBucket"] = seenBucket;
        }

        return previous.ETag == default
            ? new TableTransactionAction(TableTransactionActionType.Add, row)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, previous.ETag);
    }

    public async Task<AlertState?> GetStateAsync(string gatewayId, string key, CancellationToken cancellationToken)
    {
        var row = (await (await TableOfAsync(gatewayId, cancellationToken)).GetEntityIfExistsAsync<TableEntity>(gatewayId, key, cancellationToken: cancellationToken)).ValueOrNull();
        return row is null ? null : new AlertState(
            gatewayId, key, row.GetString("State") == "raised", row.GetDateTimeOffset("RaisedAt")!.Value, row.GetDateTimeOffset("ClearedAt"),
            row.GetString("HistoryRowKey")!, row.GetDateTimeOffset("LastMailedAt"), row.GetBoolean("RaiseMailed") ?? false, row.ETag);
    }

    public static TableTransactionAction WriteState(AlertState? previous, AlertState state)
    {
        var row = new TableEntity(state.GatewayId, state.Key)
        {
            ["State"] = state.Raised ? "raised" : "cleared",
            ["RaisedAt"] = state.RaisedAt,
            ["HistoryRowKey"] = state.HistoryRowKey,
            ["RaiseMailed"] = state.RaiseMailed,
        };
        if (state.ClearedAt is { } clearedAt)
        {
            row["ClearedAt"] = clearedAt;
        }

        if (state.LastMailedAt is { } mailedAt)
        {
            row["LastMailedAt"] = mailedAt;
        }

        return previous is null
            ? new TableTransactionAction(TableTransactionActionType.Add, row)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, previous.ETag);
    }

    public static string HistoryRowKeyFor(string key, DateTimeOffset raisedAt) =>
        HistoryPrefix + (DateTimeOffset.MaxValue.UtcTicks - raisedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + key;

    public static TableTransactionAction AddHistory(string gatewayId, string historyRowKey, AlertCondition condition, DateTimeOffset raisedAt) =>
        new(TableTransactionActionType.Add, new TableEntity(gatewayId, historyRowKey)
        {
            ["Unit"] = condition.Unit,
            ["Code"] = condition.Code,
            ["Severity"] = AlertCatalogue.Describe(condition.Code).Severity.ToString(),
            ["RaisedAt"] = raisedAt,
        });

    public static TableTransactionAction ClearHistory(string gatewayId, string historyRowKey, DateTimeOffset clearedAt) =>
        new(TableTransactionActionType.UpdateMerge, new TableEntity(gatewayId, historyRowKey) { ["ClearedAt"] = clearedAt }, ETag.All);

    /// <summary>Every occurrence of one code on the gateway (e.g. its offline periods), newest first.</summary>
    public async Task<IReadOnlyList<AlertOccurrence>> HistoryOfCodeAsync(string gatewayId, string code, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {gatewayId} and RowKey ge {HistoryPrefix} and RowKey lt {"h."} and Code eq {code}");
        var occurrences = new List<AlertOccurrence>();
        await foreach (var row in (await TableOfAsync(gatewayId, cancellationToken)).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            occurrences.Add(Occurrence(row));
        }

        return occurrences;
    }

    /// <summary>The gateway's alert occurrences, newest first.</summary>
    public async Task<IReadOnlyList<AlertOccurrence>> HistoryAsync(string gatewayId, int max, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {gatewayId} and RowKey ge {HistoryPrefix} and RowKey lt {"h."}");
        var occurrences = new List<AlertOccurrence>();
        await foreach (var row in (await TableOfAsync(gatewayId, cancellationToken)).QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
        {
            occurrences.Add(Occurrence(row));
            if (occurrences.Count >= max)
            {
                break;
            }
        }

        return occurrences;
    }

    /// <summary>
    /// The gateway's open alerts in key order: one query for its raised live rows ("{unit}-{code}" sort before "h-" and
    /// "summary"), never touching the history.
    /// </summary>
    public async Task<IReadOnlyList<AlertOccurrence>> OpenAsync(string gatewayId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {gatewayId} and RowKey lt {HistoryPrefix} and State eq {"raised"}");
        var open = new List<AlertOccurrence>();
        await foreach (var row in (await TableOfAsync(gatewayId, cancellationToken)).QueryAsync<TableEntity>(filter, select: OpenColumns, cancellationToken: cancellationToken))
        {
            var condition = AlertCondition.FromKey(row.RowKey);
            open.Add(new AlertOccurrence(
                row.GetString("HistoryRowKey")![HistoryPrefix.Length..], condition.Unit, condition.Code, AlertCatalogue.Describe(condition.Code).Severity,
                row.GetDateTimeOffset("RaisedAt")!.Value, ClearedAt: null));
        }

        return open;
    }

    /// <summary>The open alerts of many gateways (e.g. a dealer's whole list), one query per gateway, a bounded number at a time.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<AlertOccurrence>>> OpenOfAsync(IEnumerable<string> gatewayIds, CancellationToken cancellationToken)
    {
        var open = new ConcurrentDictionary<string, IReadOnlyList<AlertOccurrence>>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            gatewayIds,
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentReads, CancellationToken = cancellationToken },
            async (gatewayId, ct) => open[gatewayId] = await OpenAsync(gatewayId, ct));
        return open;
    }

    private async ValueTask<TableClient> TableOfAsync(string gatewayId, CancellationToken cancellationToken) =>
        (await storage.OfGatewayAsync(gatewayId, cancellationToken)).Alerts;

    private static AlertOccurrence Occurrence(TableEntity row) => new(
        row.RowKey[HistoryPrefix.Length..],
        row.GetInt32("Unit") ?? 0,
        row.GetString("Code")!,
        Enum.TryParse<AlertSeverity>(row.GetString("Severity"), out var severity) ? severity : AlertSeverity.Warning,
        row.GetDateTimeOffset("RaisedAt")!.Value,
        row.GetDateTimeOffset("ClearedAt"));
}
