using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Accounts.Profile;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Inventory;
using KpNet.Telemetry.Alerts;

namespace KpNet.Access;

public sealed record MaintenanceLink(int DealerId, DateTimeOffset LinkedAt);

public abstract record LinkOutcome
{
    public sealed record Linked(IReadOnlyList<MaintenanceLink> Links) : LinkOutcome;

    public sealed record AlreadyLinked : LinkOutcome;

    public sealed record Full : LinkOutcome;
}

/// <summary>
/// A row of a dealer's index: the gateway, its open alerts and the names the list searches (案件, the customer's name) as
/// last copied there (null on a row written before the copies existed).
/// </summary>
public sealed record IndexedGateway(string GatewayId, OpenAlerts? Alerts, ETag ETag, ListedNames? Names = null);

/// <summary>What a dealer's list shows and searches besides the gateway ID: the site's 案件 and the customer's name.</summary>
public sealed record ListedNames(string SiteName, string CustomerName)
{
    /// <summary>A customer account gone missing (closed meanwhile) lists no name.</summary>
    public static ListedNames Of(CustomerSite site, Account? customer) => new(site.SiteName, customer is null ? "" : CustomerNameOf(customer));

    /// <summary>The name a dealer knows the customer by: the person's, after the company's for a corporate customer.</summary>
    public static string CustomerNameOf(Account customer) =>
        customer.Company is { Name.Length: > 0 } company
            ? $"{company.Name} {RegistrationMailer.DisplayName(customer)}"
            : RegistrationMailer.DisplayName(customer);
}

/// <summary>
/// 保守を任せる販売店様: the dealers of a gateway on ONE row (table MaintenanceLinks, PartitionKey = gateway ID, RowKey
/// "links"), written only ETag-conditionally and retried on 412, so "at most 5 dealers" holds under any concurrency.
/// Rows of DealerGateways (PartitionKey = dealer ID, RowKey = gateway ID) index a dealer's gateways; they are written
/// after the truth row and may lag it, so every authorisation reads the truth row. Each index row also carries a copy
/// of the gateway's <see cref="OpenAlerts"/> (count, most severe, the alert summary's version it was read at), so a
/// dealer's list sorts thousands of gateways from its own partition: written at link time, after every alert change
/// (only over an older version), and repaired by the list when it finds a shown gateway's copy wrong. The rows also
/// carry the <see cref="ListedNames"/> the list searches: written at link time, refreshed when the customer edits the
/// site or changes their name (<see cref="RefreshCustomerNameAsync"/>), repaired by the list when a shown one is stale.
/// </summary>
public sealed class MaintenanceLinks(StorageAccount storage, AlertStore alerts, CustomerSites sites) : IOpenAlertsListener, ICustomerNameListener
{
    public const string TableName = "MaintenanceLinks";
    public const string IndexTableName = "DealerGateways";
    public const int MaxDealers = 5;
    private const string LinksRow = "links";
    private const string OpenAlertsColumn = "OpenAlerts";
    private const string MostSevereColumn = "MostSevere";
    private const string AlertsVersionColumn = "AlertsVersion";
    private const string SiteNameColumn = "SiteName";
    private const string CustomerNameColumn = "CustomerName";
    private static readonly string[] IndexColumns = ["RowKey", OpenAlertsColumn, MostSevereColumn, AlertsVersionColumn, SiteNameColumn, CustomerNameColumn];

    private TableClient Table => storage.GetTableClient(TableName);

    private TableClient Index => storage.GetTableClient(IndexTableName);

    public async Task<IReadOnlyList<MaintenanceLink>> ListAsync(string gatewayId, CancellationToken cancellationToken) =>
        (await ReadAsync(gatewayId, cancellationToken)).Links;

    public async Task<bool> IsLinkedAsync(string gatewayId, int dealerId, CancellationToken cancellationToken) =>
        (await ListAsync(gatewayId, cancellationToken)).Any(l => l.DealerId == dealerId);

    public async Task<LinkOutcome> TryLinkAsync(string gatewayId, int dealerId, DateTimeOffset now, ListedNames names, CancellationToken cancellationToken)
    {
        var outcome = await UpdateAsync(gatewayId, links =>
            links.Any(l => l.DealerId == dealerId) ? new LinkOutcome.AlreadyLinked()
            : links.Count >= MaxDealers ? new LinkOutcome.Full()
            : new LinkOutcome.Linked([.. links, new MaintenanceLink(dealerId, now)]), cancellationToken);
        // Also when already linked: a link whose write landed unseen (the client retried it) or whose index row a crash
        // left unwritten would otherwise stay missing from the dealer's list.
        if (outcome is LinkOutcome.Linked or LinkOutcome.AlreadyLinked)
        {
            await IndexAsync(dealerId, gatewayId, names, cancellationToken);
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
    public async Task CopyAsync(IReadOnlyList<MaintenanceLink> from, string toGatewayId, ListedNames names, CancellationToken cancellationToken)
    {
        await UpdateAsync(toGatewayId, links =>
        {
            var merged = links.Concat(from.Where(f => links.All(l => l.DealerId != f.DealerId))).Take(MaxDealers).ToList();
            return merged.Count == links.Count ? null : new LinkOutcome.Linked(merged);
        }, cancellationToken);
        foreach (var link in from)
        {
            await IndexAsync(link.DealerId, toGatewayId, names, cancellationToken);
        }
    }

    /// <summary>The gateways the index names for the dealer (one query page per 1,000); callers confirm each against the truth row.</summary>
    public async Task<IReadOnlyList<IndexedGateway>> IndexedGatewaysOfAsync(int dealerId, CancellationToken cancellationToken)
    {
        var rows = new List<IndexedGateway>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DealerKey(dealerId)}");
        await foreach (var row in Index.QueryAsync<TableEntity>(filter, select: IndexColumns, cancellationToken: cancellationToken))
        {
            var mostSevere = Enum.TryParse<AlertSeverity>(row.GetString(MostSevereColumn), out var severity) ? severity : (AlertSeverity?)null;
            var open = row.GetInt64(AlertsVersionColumn) is { } version ? new OpenAlerts(row.GetInt32(OpenAlertsColumn) ?? 0, mostSevere, version) : null;
            var names = row.GetString(SiteNameColumn) is { } siteName ? new ListedNames(siteName, row.GetString(CustomerNameColumn) ?? "") : null;
            rows.Add(new IndexedGateway(row.RowKey, open, row.ETag, names));
        }

        return rows;
    }

    /// <summary>Every linked dealer's copy follows an alert change (read from the truth row: an index row lagging a link is written with the alerts then).</summary>
    public async Task OpenAlertsChangedAsync(string gatewayId, OpenAlerts open, CancellationToken cancellationToken)
    {
        foreach (var link in await ListAsync(gatewayId, cancellationToken))
        {
            await CopyOpenAlertsAsync(link.DealerId, gatewayId, open, cancellationToken);
        }
    }

    /// <summary>Copies the gateway's open alerts as they are now into the dealer's row (found without a copy, or with an outdated one).</summary>
    public async Task<OpenAlerts> RepairOpenAlertsAsync(int dealerId, string gatewayId, CancellationToken cancellationToken)
    {
        var open = (await alerts.GetSummaryAsync(gatewayId, cancellationToken)).OpenAlerts;
        await CopyOpenAlertsAsync(dealerId, gatewayId, open, cancellationToken);
        return open;
    }

    /// <summary>
    /// Replaces the dealer's copy when it is older than <paramref name="open"/> (by the alert summary's version), with
    /// the row's ETag, so two changes copied in the wrong order still leave the newer; a missing row (unlinked) stays missing.
    /// </summary>
    public async Task CopyOpenAlertsAsync(int dealerId, string gatewayId, OpenAlerts open, CancellationToken cancellationToken)
    {
        // Copied, linked again or unlinked meanwhile: read again and decide again.
        await ConflictRetry.RunAsync(
            async _ =>
            {
                if ((await Index.GetEntityIfExistsAsync<TableEntity>(DealerKey(dealerId), gatewayId, cancellationToken: cancellationToken)).ValueOrNull() is not { } row
                    || row.GetInt64(AlertsVersionColumn) >= open.Version)
                {
                    return;
                }

                await Index.UpdateEntityAsync(AlertsRow(dealerId, gatewayId, open), row.ETag, TableUpdateMode.Merge, cancellationToken);
            },
            cancellationToken,
            alsoRetryNotFound: true);
    }

    /// <summary>
    /// Drops an index row whose truth row no longer links the dealer (a crash between the two writes of an unlink), with the
    /// ETag it was read with, so a link made again meanwhile (which rewrites the row) keeps its row.
    /// </summary>
    public async Task ForgetStaleAsync(int dealerId, IndexedGateway stale, CancellationToken cancellationToken)
    {
        try
        {
            await Index.DeleteEntityAsync(DealerKey(dealerId), stale.GatewayId, stale.ETag, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Gone already, or rewritten by a new link: either way nothing stale is left.
        }
    }

    /// <summary>
    /// The customer's name or company changed (登録情報の変更): every dealer row of each of their gateways gets the new copy, so the
    /// dealers' searches find the new name. Rows of unlinked dealers are not there to update and are not made.
    /// </summary>
    public Task CustomerNameChangedAsync(Account customer, CancellationToken cancellationToken) => RefreshCustomerNameAsync(customer, cancellationToken);

    /// <inheritdoc cref="CustomerNameChangedAsync"/>
    public async Task RefreshCustomerNameAsync(Account customer, CancellationToken cancellationToken)
    {
        foreach (var site in await sites.ListAsync(customer.UserId, cancellationToken))
        {
            await CopyListedNamesAsync(site.GatewayId, ListedNames.Of(site, customer), cancellationToken);
        }
    }

    /// <summary>Copies the names onto every linked dealer's row of the gateway (a site edited, a customer renamed).</summary>
    public async Task CopyListedNamesAsync(string gatewayId, ListedNames names, CancellationToken cancellationToken)
    {
        foreach (var link in await ListAsync(gatewayId, cancellationToken))
        {
            await CopyListedNamesAsync(link.DealerId, gatewayId, names, cancellationToken);
        }
    }

    /// <summary>Merges the names into the dealer's row; a missing row (unlinked meanwhile) stays missing.</summary>
    public async Task CopyListedNamesAsync(int dealerId, string gatewayId, ListedNames names, CancellationToken cancellationToken)
    {
        try
        {
            await Index.UpdateEntityAsync(NamesRow(dealerId, gatewayId, names), ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Unlinked: no row, nothing to show the names on.
        }
    }

    private async Task IndexAsync(int dealerId, string gatewayId, ListedNames names, CancellationToken cancellationToken)
    {
        var open = (await alerts.GetSummaryAsync(gatewayId, cancellationToken)).OpenAlerts;
        var row = AlertsRow(dealerId, gatewayId, open);
        row[SiteNameColumn] = names.SiteName;
        row[CustomerNameColumn] = names.CustomerName;
        await Index.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>The alert copy's columns; no alert open writes an empty <c>MostSevere</c>, so a merge clears an older one.</summary>
    private static TableEntity AlertsRow(int dealerId, string gatewayId, OpenAlerts open) => new(DealerKey(dealerId), gatewayId)
    {
        [OpenAlertsColumn] = open.Count,
        [AlertsVersionColumn] = open.Version,
        [MostSevereColumn] = open.MostSevere?.ToString() ?? "",
    };

    private static TableEntity NamesRow(int dealerId, string gatewayId, ListedNames names) => new(DealerKey(dealerId), gatewayId)
    {
        [SiteNameColumn] = names.SiteName,
        [CustomerNameColumn] = names.CustomerName,
    };

    /// <summary>Read, decide, write with the read's ETag; on 409/412 someone else wrote first: read again and decide again.</summary>
    /// <param name="decide">The new list (as Linked), another outcome to stop with, or null to leave the row alone.</param>
    private async Task<LinkOutcome?> UpdateAsync(string gatewayId, Func<IReadOnlyList<MaintenanceLink>, LinkOutcome?> decide, CancellationToken cancellationToken)
    {
        return await ConflictRetry.RunAsync(
            async _ =>
            {
                var (links, etag) = await ReadAsync(gatewayId, cancellationToken);
                var outcome = decide(links);
                if (outcome is not LinkOutcome.Linked { Links: var updated })
                {
                    return outcome;
                }

                var entity = new TableEntity(gatewayId, LinksRow) { ["Links"] = JsonSerializer.Serialize(updated, JsonSerializerOptions.Web) };
                if (etag is { } current)
                {
                    await Table.UpdateEntityAsync(entity, current, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await Table.AddEntityAsync(entity, cancellationToken);
                }

                return outcome;
            },
            cancellationToken);
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
