using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;

namespace KpNet.Notices;

/// <summary>
/// Notices in table Notices, all in PartitionKey "notice" (a small set read with one partition query). The RowKey is
/// the notice's id: the inverted creation time, so the query yields newest first, plus a random suffix. Reads are
/// cached for <see cref="CacheLifetime"/> because every menu view lists notices; a change made on this instance drops
/// the cache at once, other instances see it within the lifetime.
/// </summary>
public sealed partial class NoticeStore(StorageAccount storage, TimeProvider time)
{
    public const string TableName = "Notices";
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);
    private const string Partition = "notice";

    private readonly Lock _gate = new();
    private (IReadOnlyList<Notice> Notices, DateTimeOffset ReadAt)? _cache;

    private TableClient Table => storage.GetTableClient(TableName);

    /// <summary>Every notice, retired ones included, newest first.</summary>
    public async Task<IReadOnlyList<Notice>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_cache is { } cache && time.GetUtcNow() - cache.ReadAt < CacheLifetime)
            {
                return cache.Notices;
            }
        }

        var readAt = time.GetUtcNow();
        var notices = new List<Notice>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: cancellationToken))
        {
            notices.Add(FromEntity(row));
        }

        lock (_gate)
        {
            _cache = (notices, readAt);
        }

        return notices;
    }

    public async Task<Notice> AddAsync(
        DateOnly date, LocalizedText title, LocalizedText body, NoticeAudience audience,
        DateTimeOffset? publishFrom, DateTimeOffset? publishUntil, string createdBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = (DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12];
        var notice = new Notice(id, date, title, body, audience, publishFrom, publishUntil, now, createdBy);
        await Table.AddEntityAsync(ToEntity(notice), cancellationToken);
        Invalidate();
        return notice;
    }

    /// <summary>Marks the notice retired (kept for history); false when there is no such notice. Retiring twice keeps the first retirement.</summary>
    public async Task<bool> RetireAsync(string id, string retiredBy, CancellationToken cancellationToken)
    {
        if (!IdPattern().IsMatch(id))
        {
            return false;
        }

        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken)).ValueOrNull();
        if (row is null)
        {
            return false;
        }

        if (row.GetDateTimeOffset("RetiredAt") is null)
        {
            var retirement = new TableEntity(Partition, id) { ["RetiredAt"] = time.GetUtcNow(), ["RetiredBy"] = retiredBy };
            await Table.UpdateEntityAsync(retirement, row.ETag, TableUpdateMode.Merge, cancellationToken);
        }

        Invalidate();
        return true;
    }

    private void Invalidate()
    {
        lock (_gate)
        {
            _cache = null;
        }
    }

    private static TableEntity ToEntity(Notice n) => new(Partition, n.Id)
    {
        ["Date"] = n.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["TitleJa"] = n.Title.Ja,
        ["TitleEn"] = n.Title.En,
        ["BodyJa"] = n.Body.Ja,
        ["BodyEn"] = n.Body.En,
        ["Audience"] = n.Audience.ToString(),
        ["PublishFrom"] = n.PublishFrom,
        ["PublishUntil"] = n.PublishUntil,
        ["CreatedAt"] = n.CreatedAt,
        ["CreatedBy"] = n.CreatedBy,
    };

    private static Notice FromEntity(TableEntity e) => new(
        e.RowKey,
        DateOnly.ParseExact(e.GetString("Date")!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        new LocalizedText(e.GetString("TitleJa")!, e.GetString("TitleEn")),
        new LocalizedText(e.GetString("BodyJa")!, e.GetString("BodyEn")),
        Enum.Parse<NoticeAudience>(e.GetString("Audience")!),
        e.GetDateTimeOffset("PublishFrom"),
        e.GetDateTimeOffset("PublishUntil"),
        e.GetDateTimeOffset("CreatedAt")!.Value,
        e.GetString("CreatedBy") ?? "",
        e.GetDateTimeOffset("RetiredAt"),
        e.GetString("RetiredBy"));

    [GeneratedRegex("^[0-9]{19}-[0-9a-f]{12}$")]
    private static partial Regex IdPattern();
}
