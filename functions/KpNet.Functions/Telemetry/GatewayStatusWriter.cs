using Azure;
using Azure.Data.Tables;
using E = KpNet.Telemetry.GatewayStatusEntity;
using KpNet.Azure.Storage;

namespace KpNet.Telemetry;

/// <summary>
/// Applies a gateway's coalesced batch to its GatewayStatus row with one conditional write at most: merge into the row as
/// this instance last wrote it (or read it, the first time), then insert (409 if it exists) or replace under that ETag
/// (412 if it changed, 404 if it went). On a conflict the row is read again and re-merged. Whatever the row already
/// reflects (an event as new or newer, <see cref="EventOrder"/>; an earlier first time; the same units) is left alone,
/// so replays and late events write nothing. Only this writer writes the row, so in the steady state a batch costs one
/// write and no read.
/// </summary>
public sealed partial class GatewayStatusWriter(TelemetryStorage storage, ILogger<GatewayStatusWriter> logger)
{
    /// <summary>A row is ~1–3 KB, so at most ~150 MB; gateways past it are read before their write as before.</summary>
    public const int MaxCachedGateways = 50_000;

    private readonly GatewayCache<TableEntity> _lastKnown = new(MaxCachedGateways);

    /// <returns>Whether a write happened.</returns>
    public async Task<bool> ApplyAsync(GatewayBatch batch, CancellationToken cancellationToken)
    {
        var gatewayId = batch.GatewayId;
        try
        {
            return await ConflictRetry.RunAsync(
                async _ =>
                {
                    var stored = _lastKnown.Find(gatewayId) ?? await ReadAsync(gatewayId, cancellationToken);
                    var merged = Merge(batch, stored);
                    if (merged is null)
                    {
                        return false;
                    }

                    var table = (await storage.OfGatewayAsync(gatewayId, cancellationToken)).Status;
                    var response = stored is not null
                        ? await table.UpdateEntityAsync(merged, stored.ETag, TableUpdateMode.Replace, cancellationToken)
                        : await table.AddEntityAsync(merged, cancellationToken);
                    merged.ETag = response.Headers.ETag ?? default;
                    Remember(merged);
                    return true;
                },
                cancellationToken,
                alsoRetryNotFound: true,
                onConflict: (e, attempt) =>
                {
                    // Another invocation (here or on another instance after a rebalance) wrote the row: read it and re-merge.
                    _lastKnown.Forget(gatewayId);
                    LogWriteRace(gatewayId, e.Status, attempt);
                });
        }
        catch
        {
            // A failed request may still have been applied: what the cache holds is unknown now.
            _lastKnown.Forget(gatewayId);
            throw;
        }
    }

    private async Task<TableEntity?> ReadAsync(string gatewayId, CancellationToken cancellationToken)
    {
        var stored = await (await storage.OfGatewayAsync(gatewayId, cancellationToken)).Status.GetEntityIfExistsAsync<TableEntity>(gatewayId, E.RowKey, cancellationToken: cancellationToken);
        if (!stored.HasValue)
        {
            return null;
        }

        Remember(stored.Value!);
        return stored.Value;
    }

    // Without an ETag a later write would be unconditional: such a row is read again instead.
    private void Remember(TableEntity row)
    {
        if (row.ETag != default)
        {
            _lastKnown.Remember(row.PartitionKey, row);
        }
    }

    /// <summary>The row to write, or null when the stored row already reflects everything in the batch.</summary>
    public static TableEntity? Merge(GatewayBatch batch, TableEntity? stored)
    {
        var latest = batch.Latest ?? throw new ArgumentException("The batch has no events.", nameof(batch));
        var entity = new TableEntity(batch.GatewayId, E.RowKey);
        if (stored is not null)
        {
            foreach (var (name, value) in stored)
            {
                if (name is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
                {
                    entity[name] = value;
                }
            }
        }

        var storedOrder = stored is null ? null : EventOrder.Read(stored, E.StatusOrder);
        var changed = false;
        if (latest.Order.IsNewerThan(storedOrder))
        {
            // The newest status replaces the measurements whole: a block the event lacks is unknown now, not stale.
            latest.Order.WriteTo(entity, E.StatusOrder);
            latest.Measurements.WriteColumns(entity);
            Set(entity, E.UnitsJson, latest.Units is null ? null : E.WriteUnits(latest.Units));
            changed = true;
        }

        changed |= MergeIdentity(entity, E.Model, batch.Model, storedOrder);
        changed |= MergeIdentity(entity, E.Serial, batch.Serial, storedOrder);
        changed |= MergeIdentity(entity, E.Fw, batch.Fw, storedOrder);

        var storedFirst = stored?.GetDateTimeOffset(E.FirstCommunicatedAt);
        if (storedFirst is null || batch.EarliestTs < storedFirst)
        {
            entity[E.FirstCommunicatedAt] = batch.EarliestTs;
            changed = true;
        }

        if (batch.LatestWithUnits is { Units: { } units } withUnits
            && withUnits.Order.IsNewerThan(stored is null ? null : EventOrder.Read(stored, E.UnitConfigurationOrder)))
        {
            var configuration = E.WriteUnitConfiguration(units);
            if (configuration != stored?.GetString(E.UnitConfiguration))
            {
                entity[E.UnitConfiguration] = configuration;
                changed = true;
            }

            if (changed)
            {
                withUnits.Order.WriteTo(entity, E.UnitConfigurationOrder);
            }
        }

        return changed ? entity : null;
    }

    // Newer than the stored status, or filling a value the row does not have yet.
    private static bool MergeIdentity(TableEntity entity, string name, (string Value, TelemetryEvent From)? candidate, EventOrder? storedOrder)
    {
        if (candidate is not { } c)
        {
            return false;
        }

        var current = entity.GetString(name);
        if (current == c.Value || (current is not null && !c.From.Order.IsNewerThan(storedOrder)))
        {
            return false;
        }

        entity[name] = c.Value;
        return true;
    }

    private static void Set(TableEntity entity, string name, object? value)
    {
        if (value is null)
        {
            entity.Remove(name);
        }
        else
        {
            entity[name] = value;
        }
    }

    [LoggerMessage(EventId = 4010, EventName = "GatewayStatusWriteRace", Level = LogLevel.Debug, Message = "Status of gateway {GatewayId} changed under us ({Status}, attempt {Attempt}); re-merging")]
    private partial void LogWriteRace(string gatewayId, int status, int attempt);
}
