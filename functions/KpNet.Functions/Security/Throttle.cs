using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;

namespace KpNet.Security;

/// <summary>A limit: <see cref="Limit"/> failures (or uses of a budget) within <see cref="Window"/> block the key for <see cref="Lockout"/>.</summary>
public sealed record ThrottleRule(string Scope, int Limit, TimeSpan Window, TimeSpan Lockout);

public sealed record ThrottleDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static readonly ThrottleDecision Allow = new(true, TimeSpan.Zero);
}

/// <summary>
/// Failure counters in Table Storage (table Throttles, one row per rule and key), so limits hold across instances.
/// Writes are ETag-conditional and retried, so concurrent failures are all counted.
/// </summary>
public sealed class Throttle(StorageAccount storage, TimeProvider time)
{
    public const string TableName = "Throttles";

    private TableClient Table => storage.GetTableClient(TableName);

    public async Task<ThrottleDecision> CheckAsync(ThrottleRule rule, string key, CancellationToken cancellationToken)
    {
        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(RowKeyOf(rule, key), "", cancellationToken: cancellationToken)).ValueOrNull();
        var blockedUntil = row?.GetDateTimeOffset("BlockedUntil");
        var now = time.GetUtcNow();
        return blockedUntil > now ? new ThrottleDecision(false, blockedUntil.Value - now) : ThrottleDecision.Allow;
    }

    /// <summary>Counts a failure; answers whether the key is now blocked.</summary>
    public Task<ThrottleDecision> RecordFailureAsync(ThrottleRule rule, string key, CancellationToken cancellationToken) =>
        CountAsync(rule, key, refuseWhileBlocked: false, cancellationToken);

    /// <summary>
    /// Takes one use of a budget unless the key is blocked, checking and counting in one conditional write: callers racing
    /// on one key never get more than <see cref="ThrottleRule.Limit"/> uses between them.
    /// </summary>
    /// <returns>Allowed when this use was counted; else how long the key stays blocked (and nothing was counted).</returns>
    public Task<ThrottleDecision> TryTakeAsync(ThrottleRule rule, string key, CancellationToken cancellationToken) =>
        CountAsync(rule, key, refuseWhileBlocked: true, cancellationToken);

    private async Task<ThrottleDecision> CountAsync(ThrottleRule rule, string key, bool refuseWhileBlocked, CancellationToken cancellationToken)
    {
        var partition = RowKeyOf(rule, key);

        // Another instance counting at the same moment makes the write conflict: read again and count on top of it.
        return await ConflictRetry.RunAsync(
            async _ =>
            {
                var now = time.GetUtcNow();
                var row = (await Table.GetEntityIfExistsAsync<TableEntity>(partition, "", cancellationToken: cancellationToken)).ValueOrNull();
                var blockedUntil = row?.GetDateTimeOffset("BlockedUntil");
                if (refuseWhileBlocked && blockedUntil > now)
                {
                    return new ThrottleDecision(false, blockedUntil.Value - now);
                }

                var windowStart = row?.GetDateTimeOffset("WindowStart");
                var count = windowStart is { } start && now - start < rule.Window ? row!.GetInt32("Count") ?? 0 : 0;
                var entity = new TableEntity(partition, "")
                {
                    ["Count"] = count + 1,
                    ["WindowStart"] = count == 0 ? now : windowStart!.Value,
                };
                var blocked = count + 1 >= rule.Limit;
                if (blocked)
                {
                    entity["BlockedUntil"] = now + rule.Lockout;
                    entity["Count"] = 0;
                }
                else if (blockedUntil > now)
                {
                    entity["BlockedUntil"] = blockedUntil.Value;
                }

                if (row is null)
                {
                    await Table.AddEntityAsync(entity, cancellationToken);
                }
                else
                {
                    await Table.UpdateEntityAsync(entity, row.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return blocked && !refuseWhileBlocked ? new ThrottleDecision(false, rule.Lockout) : ThrottleDecision.Allow;
            },
            cancellationToken);
    }

    /// <summary>Remembers <paramref name="key"/> under <paramref name="scope"/> for <paramref name="lifetime"/> (renewed by each call).</summary>
    public async Task RememberAsync(string scope, string key, TimeSpan lifetime, CancellationToken cancellationToken) =>
        await Table.UpsertEntityAsync(
            new TableEntity(PartitionOf(scope, key), "") { ["RememberedUntil"] = time.GetUtcNow() + lifetime }, TableUpdateMode.Replace, cancellationToken);

    public async Task<bool> RemembersAsync(string scope, string key, CancellationToken cancellationToken) =>
        (await Table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(scope, key), "", cancellationToken: cancellationToken)).ValueOrNull()
            ?.GetDateTimeOffset("RememberedUntil") > time.GetUtcNow();

    public async Task ResetAsync(ThrottleRule rule, string key, CancellationToken cancellationToken) =>
        await Table.DeleteEntityAsync(RowKeyOf(rule, key), "", ETag.All, cancellationToken);

    private static string RowKeyOf(ThrottleRule rule, string key) => PartitionOf(rule.Scope, key);

    private static string PartitionOf(string scope, string key) => scope + ":" + Uri.EscapeDataString(key);
}
