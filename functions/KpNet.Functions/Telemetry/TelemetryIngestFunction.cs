using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Azure;
using KpNet.Azure.Storage;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using KpNet.Inventory;
using KpNet.Observability;
using KpNet.Telemetry.Alerts;

namespace KpNet.Telemetry;

/// <summary>
/// Event Hubs function for gateway telemetry (cardinality many). Each event is parsed and validated; invalid events,
/// events not sent as their own gateway's publisher (see <see cref="TelemetryPublishers"/>) and events of gateways not in
/// the inventory are set aside in <see cref="TelemetryDeadLetters"/> and never fail the batch.
/// The valid events are coalesced per gateway and counted into the history rollups (<see cref="TelemetryRollups"/>),
/// which leave out a gateway's events past its rate (set aside: <see cref="TelemetryRejectionReason.RateExceeded"/>); the
/// rest are applied with at most one status write per gateway, and to its alerts. Every write is idempotent, so when
/// storage fails transiently the exception fails the invocation and the host's retry of the whole batch (without end, see
/// <see cref="TelemetryRegistration.IngestRetry"/>) only completes what was missing. A gateway whose rows storage refuses
/// as they are, or whose events make the function itself fail, would fail every retry: its events are set aside
/// (<see cref="TelemetryRejectionReason.StorageRejected"/>) and the rest of the batch is applied.
/// </summary>
public sealed partial class TelemetryIngestFunction(
    KnownGateways knownGateways,
    GatewayStatusWriter statusWriter,
    TelemetryRollups rollups,
    TelemetryDeadLetters deadLetters,
    AlertEngine alerts,
    TelemetryParserPool parsers,
    KpNetMetrics metrics,
    TimeProvider time,
    ILogger<TelemetryIngestFunction> logger) : IEventHubFunction
{
    public const string Name = "TelemetryIngest";
    public const string ConsumerGroup = "kpnet-functions";
    public const string EventHubName = "telemetry";
    public const string Connection = "TelemetryEventHub";

    private const int MaxConcurrentStatusWrites = 16;

    public async Task RunAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var events = batch.Events;
        var parser = parsers.Rent(batch.PartitionId);
        var (gateways, rejected) = ParseAndGroup(parser, events);
        parsers.Return(batch.PartitionId, parser);
        foreach (var deadLetter in rejected)
        {
            LogEventRejected(deadLetter.Rejection.Reason, deadLetter.Rejection.Field, deadLetter.GatewayId, batch.PartitionId, deadLetter.Event.SequenceNumber);
        }

        var known = await knownGateways.FindKnownAsync(gateways.Keys, cancellationToken);
        var toApply = new List<GatewayBatch>(gateways.Count);
        foreach (var gateway in gateways.Values)
        {
            if (known.Contains(gateway.GatewayId))
            {
                toApply.Add(gateway);
                continue;
            }

            LogUnknownGateway(gateway.GatewayId, gateway.EventIndexes.Count, batch.PartitionId);
            foreach (var index in gateway.EventIndexes)
            {
                rejected.Add(new DeadLetter(events[index], new TelemetryRejection(TelemetryRejectionReason.UnknownGateway, "gatewayId"), gateway.GatewayId));
            }
        }

        var statusWrites = 0;
        var rollupWrites = 0;
        var alertChanges = 0;
        var setAside = new ConcurrentBag<DeadLetter>();
        var writingStatuses = Parallel.ForEachAsync(
            toApply,
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentStatusWrites, CancellationToken = cancellationToken },
            async (gateway, _) =>
            {
                // Each is idempotent on its own (seq sets in the rollup rows, seq and ETag on the status row). Under the
                // invocation's token, not the loop's: one gateway's failure stops the loop starting others, but does not
                // cut the others' writes off midway, where a cancelled request may still have committed unseen.
                try
                {
                    var (rows, rateExceeded) = await rollups.ApplyAsync(gateway.GatewayId, gateway.Events, cancellationToken);
                    Interlocked.Add(ref rollupWrites, rows);
                    var (applied, overRate) = rateExceeded.Count == 0 ? (gateway, []) : gateway.Without(rateExceeded);
                    if (applied.Latest is not null)
                    {
                        if (await statusWriter.ApplyAsync(applied, cancellationToken))
                        {
                            Interlocked.Increment(ref statusWrites);
                        }

                        Interlocked.Add(ref alertChanges, await alerts.ApplyAsync(applied, cancellationToken));
                    }

                    if (overRate.Count > 0)
                    {
                        LogRateExceeded(gateway.GatewayId, overRate.Count, TelemetryRollups.MaxEventsPerBucket, batch.PartitionId);
                        var rejection = new TelemetryRejection(TelemetryRejectionReason.RateExceeded, "");
                        foreach (var index in overRate)
                        {
                            setAside.Add(new DeadLetter(events[index], rejection, gateway.GatewayId));
                        }
                    }
                }
                catch (Exception e) when (!StorageFailure.IsTransient(e))
                {
                    var rejection = new TelemetryRejection(TelemetryRejectionReason.StorageRejected, (e as RequestFailedException)?.ErrorCode ?? e.GetType().Name);
                    LogGatewaySetAside(e, gateway.GatewayId, gateway.EventIndexes.Count, rejection.Field, batch.PartitionId);
                    foreach (var index in gateway.EventIndexes)
                    {
                        setAside.Add(new DeadLetter(events[index], rejection, gateway.GatewayId));
                    }
                }
            });
        var writingDeadLetters = deadLetters.WriteAsync(rejected, cancellationToken);
        await Task.WhenAll(writingStatuses, writingDeadLetters);
        await deadLetters.WriteAsync([.. setAside], cancellationToken);

        var lagP95 = MeasureOutcomes(events, rejected, setAside, time.GetUtcNow());
        metrics.TelemetryBatchDuration(time.GetElapsedTime(started));
        LogBatchApplied(batch.PartitionId, events.Count, toApply.Count, statusWrites, rollupWrites, alertChanges, rejected.Count + setAside.Count, lagP95, batch.Attempt.RetryCount);
    }

    /// <summary>
    /// Counts the batch's events by outcome (dead letters by reason) and records each applied event's lag from its
    /// enqueued time to <paramref name="appliedAt"/>. Returns the batch's lag p95 (nearest rank) for its log line, which
    /// is what the ingest-lag alert reads: Azure Monitor receives histograms only as sums, counts, minima and maxima.
    /// </summary>
    private double? MeasureOutcomes(IReadOnlyList<EventData> events, List<DeadLetter> rejected, ConcurrentBag<DeadLetter> setAside, DateTimeOffset appliedAt)
    {
        HashSet<EventData>? notApplied = null;
        if (rejected.Count + setAside.Count > 0)
        {
            notApplied = new HashSet<EventData>(rejected.Count + setAside.Count, ReferenceEqualityComparer.Instance);
            Span<int> perReason = stackalloc int[ReasonCount];
            foreach (var deadLetter in rejected.Concat(setAside))
            {
                notApplied.Add(deadLetter.Event);
                perReason[(int)deadLetter.Rejection.Reason]++;
            }

            for (var reason = 0; reason < ReasonCount; reason++)
            {
                if ((TelemetryRejectionReason)reason == TelemetryRejectionReason.UnknownGateway)
                {
                    metrics.TelemetryUnknownGateway(perReason[reason]);
                }
                else
                {
                    metrics.TelemetryDeadLettered(ReasonNames[reason], perReason[reason]);
                }
            }
        }

        metrics.TelemetryApplied(events.Count - (notApplied?.Count ?? 0));
        var lags = ArrayPool<double>.Shared.Rent(events.Count);
        try
        {
            var count = 0;
            foreach (var data in events)
            {
                if (data.EnqueuedTime is { } enqueued && notApplied?.Contains(data) != true)
                {
                    var lag = Math.Max(0, (appliedAt - enqueued).TotalSeconds);
                    metrics.TelemetryLag(lag);
                    lags[count++] = lag;
                }
            }

            if (count == 0)
            {
                return null;
            }

            var applied = lags.AsSpan(0, count);
            applied.Sort();
            return applied[(int)Math.Ceiling(0.95 * count) - 1];
        }
        finally
        {
            ArrayPool<double>.Shared.Return(lags);
        }
    }

    private static readonly int ReasonCount = Enum.GetValues<TelemetryRejectionReason>().Length;

    private static readonly string[] ReasonNames = [.. Enum.GetValues<TelemetryRejectionReason>().Select(reason => reason.ToString())];

    /// <summary>Everything ingestion does before storage: each event parsed and validated, the valid ones coalesced per gateway.</summary>
    public static (Dictionary<string, GatewayBatch> Gateways, List<DeadLetter> Rejected) ParseAndGroup(TelemetryParser parser, IReadOnlyList<EventData> events)
    {
        // Sized for the worst case, one gateway per event (the usual one at one event a minute): no rehashing as it fills.
        var gateways = new Dictionary<string, GatewayBatch>(events.Count, StringComparer.Ordinal);
        var rejected = new List<DeadLetter>();
        for (var i = 0; i < events.Count; i++)
        {
            var result = parser.Parse(events[i].Body.Span);
            if (result.Event is not { } telemetryEvent)
            {
                rejected.Add(new DeadLetter(events[i], result.Rejection, result.GatewayId ?? PartitionKeyGatewayId(events[i])));
            }
            else if (!string.Equals(events[i].PartitionKey, telemetryEvent.GatewayId, StringComparison.Ordinal))
            {
                // Sent as another gateway's publisher, or not as a publisher: a gateway reports only for itself.
                rejected.Add(new DeadLetter(events[i], new TelemetryRejection(TelemetryRejectionReason.PublisherMismatch, "gatewayId"), telemetryEvent.GatewayId));
            }
            else
            {
                ref var gateway = ref CollectionsMarshal.GetValueRefOrAddDefault(gateways, telemetryEvent.GatewayId, out _);
                gateway ??= new GatewayBatch(telemetryEvent.GatewayId);
                gateway.Add(telemetryEvent, i);
            }
        }

        return (gateways, rejected);
    }

    private static string? PartitionKeyGatewayId(EventData data) =>
        data.PartitionKey is { } key && GatewayId.IsValid(key) ? key : null;

    [LoggerMessage(EventId = 4000, EventName = "TelemetryBatchApplied", Level = LogLevel.Information, Message = "Telemetry batch from partition {PartitionId}: {EventCount} events, {GatewayCount} known gateways, {StatusWrites} status writes, {RollupRows} rollup rows written, {AlertChanges} alerts raised or cleared, {DeadLettered} dead-lettered, lag p95 {LagP95Seconds:F1} s (retry {RetryCount})")]
    private partial void LogBatchApplied(string? partitionId, int eventCount, int gatewayCount, int statusWrites, int rollupRows, int alertChanges, int deadLettered, double? lagP95Seconds, int retryCount);

    [LoggerMessage(EventId = 4001, EventName = "TelemetryEventRejected", Level = LogLevel.Warning, Message = "Telemetry event set aside: {Reason} {Field} (gateway {GatewayId}, partition {PartitionId}, sequence number {SequenceNumber})")]
    private partial void LogEventRejected(TelemetryRejectionReason reason, string field, string? gatewayId, string? partitionId, long? sequenceNumber);

    [LoggerMessage(EventId = 4003, EventName = "TelemetryGatewaySetAside", Level = LogLevel.Error, Message = "{EventCount} telemetry events of gateway {GatewayId} set aside: applying them failed in a way no retry cures ({Error}, partition {PartitionId})")]
    private partial void LogGatewaySetAside(Exception exception, string gatewayId, int eventCount, string error, string? partitionId);

    [LoggerMessage(EventId = 4004, EventName = "TelemetryRateExceeded", Level = LogLevel.Warning, Message = "{EventCount} telemetry events of gateway {GatewayId} set aside: more than {MaxEventsPerBucket} in a 5-minute bucket (partition {PartitionId})")]
    private partial void LogRateExceeded(string gatewayId, int eventCount, int maxEventsPerBucket, string? partitionId);

    [LoggerMessage(EventId = 4002, EventName = "TelemetryUnknownGateway", Level = LogLevel.Warning, Message = "{EventCount} telemetry events from gateway {GatewayId}, which is not in the inventory, set aside (partition {PartitionId})")]
    private partial void LogUnknownGateway(string gatewayId, int eventCount, string? partitionId);
}
