using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Observability;

namespace KpNet.Telemetry.Alerts;

/// <summary>An alert that was raised or cleared and deserves a mail.</summary>
public sealed record AlertTransition(string GatewayId, AlertCondition Condition, DateTimeOffset RaisedAt, DateTimeOffset? ClearedAt)
{
    public bool IsRecovery => ClearedAt is not null;
}

/// <summary>
/// Moves a gateway's alerts from what is open to what should be open, in one ETag-conditional entity group transaction
/// on its Alerts partition (summary + live rows + history), retried from a fresh read when another invocation got there
/// first. So an alert is raised once and cleared once whatever replays and races happen. Mails are queued before the
/// commit with ids derived from (gateway, key, raisedAt, recipient): a retry after a crash queues the same ids and
/// SendEmail sends each once. A key mails again only after <see cref="HoldOff"/> since its last mail, so a flapping
/// signal sends one raise and one recovery mail per window.
/// </summary>
public sealed partial class AlertEngine(
    AlertStore store, GatewayLastSeen lastSeen, AlertMailer mailer, IOpenAlertsListener openAlertsListener, KpNetMetrics metrics, TimeProvider time,
    ILogger<AlertEngine> logger)
{
    public static readonly TimeSpan HoldOff = TimeSpan.FromMinutes(30);

    /// <summary>Per gateway at most this many open alerts, so one transaction (≤ 100 rows) always holds a full change.</summary>
    public const int MaxOpenAlerts = 24;


    /// <summary>Evaluates the rules on the batch's newest event of the gateway (<see cref="EventOrder"/>); an event not newer than the last evaluated is ignored.</summary>
    /// <returns>How many alerts were raised or cleared.</returns>
    public Task<int> ApplyAsync(GatewayBatch batch, CancellationToken cancellationToken)
    {
        var latest = batch.Latest ?? throw new ArgumentException("The batch has no events.", nameof(batch));
        var conditions = AlertRules.Evaluate(latest);

        // Contact is when we heard from the gateway, not the time it stamped: a backlog sent after an outage is contact now.
        var seenAt = time.GetUtcNow();
        return UpdateAsync(batch.GatewayId, summary => latest.Order.IsNewerThan(summary.Last)
            ? new Plan(Limit(conditions), latest.Ts, latest.Order, seenAt)
            : null, cancellationToken);
    }

    /// <summary>Raises <see cref="AlertCatalogue.Offline"/> when the gateway was last seen in <paramref name="bucket"/> and has been silent since.</summary>
    public Task<int> RaiseOfflineAsync(string gatewayId, string bucket, CancellationToken cancellationToken)
    {
        var offline = new AlertCondition(0, AlertCatalogue.Offline).Key;
        var now = time.GetUtcNow();
        return UpdateAsync(gatewayId, summary =>
        {
            if (summary.SeenBucket != bucket || summary.LastSeenAt is not { } seen || seen + AlertRules.OfflineAfter > now || summary.Open.Contains(offline))
            {
                return null;
            }

            // Dated from the silence, not from the sweep, so a repeated sweep computes the same alert (and mail ids).
            return new Plan(new HashSet<string>(summary.Open, StringComparer.Ordinal) { offline }, seen + AlertRules.OfflineAfter, summary.Last, null);
        }, cancellationToken);
    }

    private static IReadOnlySet<string> Limit(IReadOnlySet<string> conditions) =>
        conditions.Count <= MaxOpenAlerts ? conditions : conditions.Order(StringComparer.Ordinal).Take(MaxOpenAlerts).ToHashSet(StringComparer.Ordinal);

    private async Task<int> UpdateAsync(string gatewayId, Func<AlertSummary, Plan?> decide, CancellationToken cancellationToken)
    {
        var committed = await ConflictRetry.RunAsync<Committed?>(
            async _ =>
            {
                var summary = await store.GetSummaryAsync(gatewayId, cancellationToken);
                if (decide(summary) is not { } plan)
                {
                    return null;
                }

                var seenAt = plan.SeenAt is { } s && (summary.LastSeenAt is null || s > summary.LastSeenAt) ? s : summary.LastSeenAt;
                var bucket = seenAt is { } at ? GatewayLastSeen.BucketOf(at) : null;
                var toRaise = plan.Open.Where(k => !summary.Open.Contains(k)).ToList();
                var toClear = summary.Open.Where(k => !plan.Open.Contains(k)).ToList();
                var bucketMoved = bucket != summary.SeenBucket;
                if (toRaise.Count == 0 && toClear.Count == 0 && !bucketMoved)
                {
                    return null;
                }

                var actions = new List<TableTransactionAction>();
                var mails = new List<AlertTransition>();
                foreach (var key in toRaise)
                {
                    var previous = await store.GetStateAsync(gatewayId, key, cancellationToken);
                    var mail = previous?.LastMailedAt is not { } mailedAt || plan.At - mailedAt >= HoldOff;
                    var history = AlertStore.HistoryRowKeyFor(key, plan.At);
                    var condition = AlertCondition.FromKey(key);
                    actions.Add(AlertStore.WriteState(previous, new AlertState(
                        gatewayId, key, Raised: true, plan.At, ClearedAt: null, history, mail ? plan.At : previous?.LastMailedAt, mail, default)));
                    actions.Add(AlertStore.AddHistory(gatewayId, history, condition, plan.At));
                    if (mail)
                    {
                        mails.Add(new AlertTransition(gatewayId, condition, plan.At, null));
                    }
                }

                foreach (var key in toClear)
                {
                    if (await store.GetStateAsync(gatewayId, key, cancellationToken) is not { Raised: true } previous)
                    {
                        continue;
                    }

                    actions.Add(AlertStore.WriteState(previous, previous with { Raised = false, ClearedAt = plan.At }));
                    actions.Add(AlertStore.ClearHistory(gatewayId, previous.HistoryRowKey, plan.At));
                    if (previous.RaiseMailed)
                    {
                        mails.Add(new AlertTransition(gatewayId, AlertCondition.FromKey(key), previous.RaisedAt, plan.At));
                    }
                }

                actions.Add(AlertStore.WriteSummary(gatewayId, summary, plan.Last, seenAt, bucket, plan.Open));
                if (bucketMoved && bucket is not null)
                {
                    await lastSeen.AddAsync(bucket, gatewayId, cancellationToken);
                }

                await mailer.SendAsync(gatewayId, mails, cancellationToken);
                await store.SubmitAsync(gatewayId, actions, cancellationToken);
                return new Committed(summary, plan, toRaise, toClear, bucketMoved);
            },
            cancellationToken,
            onConflict: (e, attempt) => LogAlertRace(gatewayId, e.Status, attempt));
        if (committed is not var (summary, plan, toRaise, toClear, bucketMoved))
        {
            return 0;
        }

        if (bucketMoved && summary.SeenBucket is { } oldBucket)
        {
            await lastSeen.RemoveAsync(oldBucket, gatewayId, cancellationToken);
        }

        if (toRaise.Count + toClear.Count > 0)
        {
            await TellOpenAlertsAsync(gatewayId, OpenAlerts.Of(plan.Open, summary.Version + 1), cancellationToken);
        }

        foreach (var key in toRaise)
        {
            LogAlertRaised(gatewayId, key, plan.At);
            metrics.AlertChanged(raised: true, AlertCatalogue.MetricCode(AlertCondition.FromKey(key).Code));
        }

        foreach (var key in toClear)
        {
            LogAlertCleared(gatewayId, key, plan.At);
            metrics.AlertChanged(raised: false, AlertCatalogue.MetricCode(AlertCondition.FromKey(key).Code));
        }

        return toRaise.Count + toClear.Count;
    }

    /// <summary>
    /// The change is committed whatever happens here: the copies of the count (the dealers' lists) are repaired when a
    /// list shows the gateway, so a storage fault now must not fail the batch, whose retry would find nothing to change.
    /// </summary>
    private async Task TellOpenAlertsAsync(string gatewayId, OpenAlerts open, CancellationToken cancellationToken)
    {
        try
        {
            await openAlertsListener.OpenAlertsChangedAsync(gatewayId, open, cancellationToken);
        }
        catch (RequestFailedException e)
        {
            LogOpenAlertsNotCopied(gatewayId, open.Version, e.Status);
        }
    }

    /// <param name="Open">The alert keys that should be open after the change.</param>
    /// <param name="At">When the change happened (the event's time, or the end of the allowed silence).</param>
    /// <param name="Last">The newest event evaluated after the change (decided on the summary it is written over, so never older).</param>
    /// <param name="SeenAt">Contact with the gateway, if the change comes from one.</param>
    private sealed record Plan(IReadOnlySet<string> Open, DateTimeOffset At, EventOrder? Last, DateTimeOffset? SeenAt);

    private sealed record Committed(AlertSummary Summary, Plan Plan, List<string> ToRaise, List<string> ToClear, bool BucketMoved);

    [LoggerMessage(EventId = 7100, EventName = "AlertRaised", Level = LogLevel.Information, Message = "Alert {Key} raised on gateway {GatewayId} at {At}")]
    private partial void LogAlertRaised(string gatewayId, string key, DateTimeOffset at);

    [LoggerMessage(EventId = 7101, EventName = "AlertCleared", Level = LogLevel.Information, Message = "Alert {Key} cleared on gateway {GatewayId} at {At}")]
    private partial void LogAlertCleared(string gatewayId, string key, DateTimeOffset at);

    [LoggerMessage(EventId = 7102, EventName = "AlertRace", Level = LogLevel.Debug, Message = "Alerts of gateway {GatewayId} changed under us ({Status}, attempt {Attempt}); re-evaluating")]
    private partial void LogAlertRace(string gatewayId, int status, int attempt);

    [LoggerMessage(EventId = 7103, EventName = "OpenAlertsNotCopied", Level = LogLevel.Warning,
        Message = "Open alerts of gateway {GatewayId} (version {Version}) not copied to its dealers' lists ({Status}); the next list showing it repairs them")]
    private partial void LogOpenAlertsNotCopied(string gatewayId, long version, int status);
}
