using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;

namespace KpNet.Gateways.Maintenance;

public sealed record MaintenanceLink(int DealerId, DateTimeOffset LinkedAt);

public abstract record LinkOutcome
{
    public sealed record Linked(IReadOnlyList<MaintenanceLink> Links) : LinkOutcome;

    public sealed record AlreadyLinked : LinkOutcome;

    public sealed record Full : LinkOutcome;
}

/// <summary>
/// 保守を任せる販売店様: the dealers of a gateway on ONE row (table MaintenanceLinks, PartitionKey = gateway ID, RowKey
/// "links"), written only ETag-conditionally and retried on 412, so "at most 5 dealers" holds under any concurrency.
/// Rows of DealerGateways (PartitionKey = dealer ID, RowKey = gateway ID) index a dealer's gateways; they are written
/// after the truth row and may lag it, so every authorisation reads the truth row.
/// </summary>
public sealed class MaintenanceLinks(StorageAccount storage)
{
    public const string TableName = "MaintenanceLinks";
    public const string IndexTableName = "DealerGateways";
    public const int MaxDealers = 5;
    private const string LinksRow = "links";

    private TableClient Table => storage.GetTableClient(TableName);

    private TableClient Index => storage.GetTableClient(IndexTableName);

    public async Task<IReadOnlyList<MaintenanceLink>> ListAsync(string gatewayId, CancellationToken cancellationToken) =>
        (await ReadAsync(gatewayId, cancellationToken)).Links;

    public async Task<bool> IsLinkedAsync(string gatewayId, int dealerId, CancellationToken cancellationToken) =>
        (await ListAsync(gatewayId, cancellationToken)).Any(l => l.DealerId == dealerId);

    public async Task<LinkOutcome> TryLinkAsync(string gatewayId, int dealerId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var outcome = await UpdateAsync(gatewayId, links =>
            links.Any(l => l.DealerId == dealerId) ? new LinkOutcome.AlreadyLinked()
            : links.Count >= MaxDealers ? new LinkOutcome.Full()
            : new LinkOutcome.Linked([.. links, new MaintenanceLink(dealerId, now)]), cancellationToken);
        if (outcome is LinkOutcome.Linked)
        {
            await Index.UpsertEntityAsync(new TableEntity(DealerKey(dealerId), gatewayId), TableUpdateMode.Replace, cancellationToken);
        }

        return outcome!;
    }

    /// <returns>Whether the dealer was linked (and is not any more).</returns>
    public async Task<bool> UnlinkAsync(string gatewayId, int dealerId, CancellationToken cancellationToken)
    {
        var outcome = await UpdateAsync(gatewayId, links =>
            links.Any(l => l.DealerId == dealerId) ? new LinkOutcome.Linked(links.Where(l => l.DealerId != dealerId).ToList()) : null,
            cancellationToken);
        await Index.DeleteEntityAsync(DealerKey(dealerId), gatewayId, ETag.All, cancellationToken);
        return outcome is LinkOutcome.Linked;
    }

    /// <summary>Ends every link of the gateway at once (disposal, replacement); answers the links that ended.</summary>
    public async Task<IReadOnlyList<MaintenanceLink>> UnlinkAllAsync(string gatewayId, CancellationToken cancellationToken)
    {
        var (links, _) = await ReadAsync(gatewayId, cancellationToken);
        await Table.DeleteEntityAsync(gatewayId, LinksRow, ETag.All, cancellationToken);
        foreach (var link in links)
        {
            await Index.DeleteEntityAsync(DealerKey(link.DealerId), gatewayId, ETag.All, cancellationToken);
        }

        return links;
    }

    /// <summary>Replacement: the new gateway gets the old one's dealers (idempotent, so a retried replacement completes).</summary>
    public async Task CopyAsync(IReadOnlyList<MaintenanceLink> from, string toGatewayId, CancellationToken cancellationToken)
    {
        await UpdateAsync(toGatewayId, links =>
        {
            var merged = links.Concat(from.Where(f => links.All(l => l.DealerId != f.DealerId))).Take(MaxDealers).ToList();
            return merged.Count == links.Count ? null : new LinkOutcome.Linked(merged);
        }, cancellationToken);
        foreach (var link in from)
        {
            await Index.UpsertEntityAsync(new TableEntity(DealerKey(link.DealerId), toGatewayId), TableUpdateMode.Replace, cancellationToken);
        }
    }

    /// <summary>The gateways the index names for the dealer; callers confirm each against the truth row.</summary>
    public async Task<IReadOnlyList<string>> IndexedGatewaysOfAsync(int dealerId, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await foreach (var row in Index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {DealerKey(dealerId)}"), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            ids.Add(row.RowKey);
        }

        return ids;
    }

    /// <summary>Read, decide, write with the read's ETag; on 409/412 someone else wrote first: read again and decide again.</summary>
    /// <param name="decide">The new list (as Linked), another outcome to stop with, or null to leave the row alone.</param>
    private async Task<LinkOutcome?> UpdateAsync(string gatewayId, Func<IReadOnlyList<MaintenanceLink>, LinkOutcome?> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (links, etag) = await ReadAsync(gatewayId, cancellationToken);
            var outcome = decide(links);
            if (outcome is not LinkOutcome.Linked { Links: var updated })
            {
                return outcome;
            }

            var entity = new TableEntity(gatewayId, LinksRow) { ["Links"] = JsonSerializer.Serialize(updated, JsonSerializerOptions.Web) };
            try
            {
                if (etag is { } current)
                {
                    await Table.UpdateEntityAsync(entity, current, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await Table.AddEntityAsync(entity, cancellationToken);
                }

                return outcome;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 100)
            {
                await Task.Delay(Random.Shared.Next(5, 20 + attempt * 5), cancellationToken);
            }
        }
    }

    private async Task<(IReadOnlyList<MaintenanceLink> Links, ETag? ETag)> ReadAsync(string gatewayId, CancellationToken cancellationToken)
    {
        if (!GatewayId.IsValid(gatewayId))
        {
            return ([], null);
        }

        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(gatewayId, LinksRow, cancellationToken: cancellationToken)).ValueOrNull();
        return row is null
            ? ([], null)
            : (JsonSerializer.Deserialize<List<MaintenanceLink>>(row.GetString("Links") ?? "[]", JsonSerializerOptions.Web)!, row.ETag);
    }

    private static string DealerKey(int dealerId) => dealerId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
