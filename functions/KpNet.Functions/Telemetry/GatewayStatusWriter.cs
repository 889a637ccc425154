using Azure;
using KpNet.Azure.Storage.Tables;
using E = KpNet.Telemetry.GatewayStatusEntity;

namespace KpNet.Telemetry;

/// <summary>
/// Applies a gateway's coalesced batch to its GatewayStatus row with one conditional write at most: read, merge, then
/// insert (retried on 409) or replace under the read ETag (retried on 412). Whatever the stored row already reflects
/// (a higher or equal seq, an earlier first time, the same units) is left alone, so replays and late events write nothing.
/// </summary>
public sealed partial class GatewayStatusWriter(TelemetryTables tables, ILogger<GatewayStatusWriter> logger)
{
    private const int MaxAttempts = 10;

    /// <returns>Whether a write happened.</returns>
    public async Task<bool> ApplyAsync(GatewayBatch batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = await tables.Status.GetEntityIfExistsAsync(batch.GatewayId, E.RowKey, cancellationToken: cancellationToken);
            var merged = Merge(batch, stored.HasValue ? stored.Value : null);
            if (merged is null)
            {
                return false;
            }

            try
            {
                if (stored.HasValue)
                {
                    await tables.Status.UpdateEntityAsync(merged, stored.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await tables.Status.AddEntityAsync(merged, cancellationToken);
                }

                return true;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another invocation wrote this gateway's row between our read and write: read it again and re-merge.
                LogWriteRace(batch.GatewayId, e.Status, attempt);
            }
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
                if (name is not ("PartitionKey" or "RowKey" or "Timestamp"))
                {
                    entity[name] = value;
                }
            }
        }

        var storedSeq = stored?.GetInt64(E.Seq) ?? -1;
        var changed = false;
        if (latest.Seq > storedSeq)
        {
            // The newest status replaces the measurements whole: a block the event lacks is unknown now, not stale.
            entity[E.Seq] = latest.Seq;
            entity[E.Ts] = latest.Ts;
            Set(entity, E.PvW, latest.PvW);
            Set(entity, E.BatterySoc, latest.BatterySoc);
            Set(entity, E.BatteryW, latest.BatteryW);
            Set(entity, E.BatteryTempC, latest.BatteryTempC);
            Set(entity, E.EvConnected, latest.EvConnected);
            Set(entity, E.EvSoc, latest.EvSoc);
            Set(entity, E.EvW, latest.EvW);
            Set(entity, E.GridW, latest.GridW);
            Set(entity, E.LoadW, latest.LoadW);
            Set(entity, E.UnitsJson, latest.Units is null ? null : E.WriteUnits(latest.Units));
            changed = true;
        }

        changed |= MergeIdentity(entity, E.Model, batch.Model, storedSeq);
        changed |= MergeIdentity(entity, E.Serial, batch.Serial, storedSeq);
        changed |= MergeIdentity(entity, E.Fw, batch.Fw, storedSeq);

        var storedFirst = stored?.GetDateTimeOffset(E.FirstCommunicatedAt);
        if (storedFirst is null || batch.EarliestTs < storedFirst)
        {
            entity[E.FirstCommunicatedAt] = batch.EarliestTs;
            changed = true;
        }

        if (batch.LatestWithUnits is { Units: { } units } withUnits && withUnits.Seq > (stored?.GetInt64(E.UnitConfigurationSeq) ?? -1))
        {
            var configuration = E.WriteUnitConfiguration(units);
            if (configuration != stored?.GetString(E.UnitConfiguration))
            {
                entity[E.UnitConfiguration] = configuration;
                changed = true;
            }

            if (changed)
            {
                entity[E.UnitConfigurationSeq] = withUnits.Seq;
            }
        }

        return changed ? entity : null;
    }

    // Newer than the stored status, or filling a value the row does not have yet.
    private static bool MergeIdentity(TableEntity entity, string name, (string Value, long Seq)? candidate, long storedSeq)
    {
        if (candidate is not { } c)
        {
            return false;
        }

        var current = entity.GetString(name);
        if (current == c.Value || (current is not null && c.Seq <= storedSeq))
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
