using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using KpNet.Hosting.Invocation;
using KpNet.Inventory;

namespace KpNet.Telemetry;

/// <summary>An event set aside: what arrived and why it was not applied.</summary>
public sealed record DeadLetter(EventData Event, TelemetryRejection Rejection, string? GatewayId);

/// <summary>What the operator reads of a gateway's set-aside event: when it arrived and why it was refused.</summary>
public sealed record DeadLetterEntry(DateTimeOffset ReceivedAt, string Reason, string? Field);

/// <summary>One set-aside event as the operator's queue screen shows it; <see cref="Day"/> and <see cref="Id"/> are its keys.</summary>
public sealed record DeadLetterDetail(string Day, string Id, DateTimeOffset ReceivedAt, string Reason, string? Field, string? GatewayId, string Body, bool BodyTruncated);

/// <summary>
/// Table TelemetryDeadLetters: PartitionKey = the UTC day the event was enqueued (yyyyMMdd), RowKey = a hash of its body.
/// Both are derived from the event itself, so a replayed batch rewrites the same rows instead of adding new ones; rows of a
/// day are written in entity group transactions. A gateway's dead letters are in its telemetry shard; one without a valid
/// gateway ID is in the shard its row key's hash picks.
/// </summary>
public sealed class TelemetryDeadLetters(TelemetryStorage storage, TimeProvider time)
{
    public const string TableName = "TelemetryDeadLetters";

    /// <summary>Table Storage holds at most 64 KiB per string property: 32K UTF-16 chars.</summary>
    public const int MaxBodyChars = 32_000;

    /// <summary>
    /// A gateway's partition key is its 12-character ID, but the sender chooses it and Event Hubs does not stop one of
    /// 40,000: the start is enough to recognise it, and the row stays far within the 64 KiB a string property holds.
    /// </summary>
    public const int MaxPartitionKeyChars = 256;

    private const int MaxActionsPerTransaction = 100;

    // Bodies are JSON-escaped in the transaction; 6 bytes per char is the worst case (\u0000). The other properties,
    // the partition key cut to its bound included, fit the 4 KiB counted per row.
    private const long MaxTransactionBytes = 3L * 1024 * 1024;

    public static string PartitionKeyFor(DateTimeOffset day) => day.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string RowKeyFor(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return Convert.ToHexStringLower(hash);
    }

    public async Task<int> WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        if (deadLetters.Count == 0)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var rows = new List<(TelemetryTables Shard, TableEntity Row)>(deadLetters.Count);
        foreach (var deadLetter in deadLetters)
        {
            var row = ToEntity(deadLetter, now);
            rows.Add((await ShardOfAsync(deadLetter.GatewayId, row.RowKey, cancellationToken), row));
        }

        var written = 0;
        foreach (var day in rows.GroupBy(r => (r.Shard.Index, r.Row.PartitionKey)))
        {
            var table = day.First().Shard.DeadLetters;
            // The same body twice (a resent event) is one row.
            var chunk = new List<TableTransactionAction>();
            long chunkBytes = 0;
            foreach (var entity in day.Select(r => r.Row).DistinctBy(e => e.RowKey, StringComparer.Ordinal))
            {
                var size = 4096 + ((long)(entity.GetString("Body")?.Length ?? 0) * 6);
                if (chunk.Count == MaxActionsPerTransaction || (chunk.Count > 0 && chunkBytes + size > MaxTransactionBytes))
                {
                    await table.SubmitTransactionAsync(chunk, cancellationToken);
                    written += chunk.Count;
                    chunk = [];
                    chunkBytes = 0;
                }

                chunk.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
                chunkBytes += size;
            }

            if (chunk.Count > 0)
            {
                await table.SubmitTransactionAsync(chunk, cancellationToken);
                written += chunk.Count;
            }
        }

        return written;
    }

    private async ValueTask<TelemetryTables> ShardOfAsync(string? gatewayId, string rowKey, CancellationToken cancellationToken) =>
        gatewayId is not null && GatewayId.IsValid(gatewayId)
            ? await storage.OfGatewayAsync(gatewayId, cancellationToken)
            : storage.Shards[TelemetryStorage.HashShard(rowKey, storage.Shards.Count)];

    private static TableEntity ToEntity(DeadLetter deadLetter, DateTimeOffset now)
    {
        var e = deadLetter.Event;
        var receivedAt = e.EnqueuedTime ?? now;
        var (body, bodyTruncated) = Cut(Encoding.UTF8.GetString(e.Body.Span), MaxBodyChars);
        var (partitionKey, partitionKeyTruncated) = e.PartitionKey is { } key ? Cut(key, MaxPartitionKeyChars) : (null, false);

        return new TableEntity(PartitionKeyFor(receivedAt), RowKeyFor(e.Body.Span))
        {
            ["Reason"] = deadLetter.Rejection.Reason.ToString(),
            ["Field"] = deadLetter.Rejection.Field,
            ["Body"] = body,
            ["BodyBytes"] = e.Body.Length,
            ["BodyTruncated"] = bodyTruncated,
            ["GatewayId"] = deadLetter.GatewayId,
            ["EventSequenceNumber"] = e.SequenceNumber,
            ["EventPartitionKey"] = partitionKey,
            ["EventPartitionKeyTruncated"] = partitionKeyTruncated,
            // The enqueued time, not the wall clock, so a replay writes the same row.
            ["ReceivedAt"] = receivedAt,
        };
    }

    /// <summary>A gateway's events set aside in the last <paramref name="days"/> UTC days, newest day first: one query per day's partition of its shard.</summary>
    public async Task<IReadOnlyList<DeadLetterEntry>> RecentOfAsync(string gatewayId, int days, int max, CancellationToken cancellationToken)
    {
        var table = (await storage.OfGatewayAsync(gatewayId, cancellationToken)).DeadLetters;
        var entries = new List<DeadLetterEntry>();
        var today = time.GetUtcNow();
        for (var day = 0; day < days && entries.Count < max; day++)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKeyFor(today.AddDays(-day))} and GatewayId eq {gatewayId}");
            var ofDay = new List<DeadLetterEntry>();
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Reason", "Field", "ReceivedAt"], cancellationToken: cancellationToken))
            {
                ofDay.Add(new DeadLetterEntry(row.GetDateTimeOffset("ReceivedAt") ?? today, row.GetString("Reason") ?? "", row.GetString("Field")));
            }

            entries.AddRange(ofDay.OrderByDescending(e => e.ReceivedAt));
        }

        return entries.Take(max).ToList();
    }

    /// <summary>Events set aside in the last <paramref name="days"/> UTC days and not yet marked handled, counted by reason over every shard.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountByReasonAsync(int days, CancellationToken cancellationToken)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var today = time.GetUtcNow();
        foreach (var shard in storage.Shards)
        {
            for (var day = 0; day < days; day++)
            {
                // Table filters are false for an absent property, and only handled rows have one: they are skipped here instead.
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKeyFor(today.AddDays(-day))}");
                await foreach (var row in shard.DeadLetters.QueryAsync<TableEntity>(filter, select: ["Reason", "Handled"], cancellationToken: cancellationToken))
                {
                    if (row.GetBoolean("Handled") == true)
                    {
                        continue;
                    }

                    var reason = row.GetString("Reason") ?? "";
                    counts[reason] = counts.GetValueOrDefault(reason) + 1;
                }
            }
        }

        return counts;
    }

    /// <summary>The newest unhandled events of one reason in the last <paramref name="days"/> days (every shard), their bodies cut to <paramref name="maxBodyChars"/>.</summary>
    public async Task<IReadOnlyList<DeadLetterDetail>> OfReasonAsync(string reason, int days, int max, int maxBodyChars, CancellationToken cancellationToken)
    {
        var details = new List<DeadLetterDetail>();
        var today = time.GetUtcNow();
        for (var day = 0; day < days && details.Count < max; day++)
        {
            var partition = PartitionKeyFor(today.AddDays(-day));
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and Reason eq {reason}");
            var ofDay = new List<DeadLetterDetail>();
            foreach (var shard in storage.Shards)
            {
                await foreach (var row in shard.DeadLetters.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
                {
                    if (row.GetBoolean("Handled") == true)
                    {
                        continue;
                    }

                    var (body, cut) = Cut(row.GetString("Body") ?? "", maxBodyChars);
                    ofDay.Add(new DeadLetterDetail(partition, row.RowKey, row.GetDateTimeOffset("ReceivedAt") ?? today, reason, row.GetString("Field"), row.GetString("GatewayId"),
                        body, cut || row.GetBoolean("BodyTruncated") == true));
                }
            }

            details.AddRange(ofDay.OrderByDescending(d => d.ReceivedAt));
        }

        return details.Take(max).ToList();
    }

    /// <summary>
    /// Marks a set-aside event handled (kept, no longer counted), in whichever shard holds it; false when none does. A
    /// replay of the event writes it anew, unhandled.
    /// </summary>
    public async Task<bool> MarkHandledAsync(string day, string id, string userId, CancellationToken cancellationToken)
    {
        foreach (var shard in storage.Shards)
        {
            try
            {
                await shard.DeadLetters.UpdateEntityAsync(
                    new TableEntity(day, id) { ["Handled"] = true, ["HandledAt"] = time.GetUtcNow(), ["HandledBy"] = userId }, ETag.All, TableUpdateMode.Merge, cancellationToken);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
            }
        }

        return false;
    }

    /// <summary>At most <paramref name="maxChars"/> of the text, never cut between the halves of a surrogate pair.</summary>
    private static (string Text, bool Truncated) Cut(string text, int maxChars) =>
        text.Length <= maxChars ? (text, false)
        : (text[..(char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars)], true);
}
