using KpNet.Accounts;
using KpNet.Http.Forms;
using KpNet.Inventory;
using KpNet.Telemetry.Alerts;

namespace KpNet.Access;

/// <summary>A gateway on a dealer's list: the customer's site for it, and its open alerts and names as the dealer's index has them.</summary>
public sealed record MaintainedGateway(CustomerSite Site, OpenAlerts Alerts, ListedNames Names);

/// <summary>
/// What a dealer may see: a gateway only while the truth row links it, the gateway's claim is live and its owner still
/// has the site. Read on every request, so an unlink or a disposal ends access at the next call, whatever session it holds.
/// </summary>
public sealed class DealerAccess(MaintenanceLinks links, GatewayClaims claims, CustomerSites sites, AccountStore accounts)
{
    private const int MaxConcurrentConfirmations = 16;

    public async Task<CustomerSite?> FindAsync(int dealerId, string gatewayId, CancellationToken cancellationToken)
    {
        if (!GatewayId.IsValid(gatewayId) || !await links.IsLinkedAsync(gatewayId, dealerId, cancellationToken))
        {
            return null;
        }

        return await claims.FindAsync(gatewayId, cancellationToken) is { Status: ClaimStatus.Active } claim
            ? await sites.FindAsync(claim.OwnerUserId, gatewayId, cancellationToken)
            : null;
    }

    /// <summary>
    /// One page of the dealer's gateways, those with open alerts first (most severe, then most alerts), then by ID, sorted
    /// on the index partition's alert copies (one query page per 1,000 gateways), so only the page's gateways are
    /// confirmed against the truth rows (a few at a time). A row that fails confirmation is left out of the page and
    /// the total, and dropped when its truth row no longer links the dealer; a row without an alert or names copy
    /// (written before copies existed) gets one first. So a page costs ⌈n / 1,000⌉ + 3 × page size requests, whatever n.
    /// A <paramref name="search"/> (NFKC-normalised) keeps the rows whose gateway ID, 案件 or customer name (spaces
    /// ignored) contains it, on the copies, before paging.
    /// </summary>
    public async Task<(IReadOnlyList<MaintainedGateway> Page, int Total)> PageAsync(
        int dealerId, string? search, int page, int pageSize, CancellationToken cancellationToken)
    {
        var indexed = (await links.IndexedGatewaysOfAsync(dealerId, cancellationToken)).ToList();
        await FillMissingCopiesAsync(dealerId, indexed, cancellationToken);
        var ordered = indexed
            .Where(row => search is null || Matches(row, search))
            .OrderByDescending(row => row.Alerts!.MostSevere.HasValue)
            .ThenByDescending(row => row.Alerts!.MostSevere)
            .ThenByDescending(row => row.Alerts!.Count)
            .ThenBy(row => row.GatewayId, StringComparer.Ordinal)
            .ToList();
        var total = ordered.Count;
        var shown = new List<MaintainedGateway>();
        var next = (int)Math.Min((long)(page - 1) * pageSize, ordered.Count);
        while (shown.Count < pageSize && next < ordered.Count)
        {
            var candidates = ordered.Skip(next).Take(pageSize - shown.Count).ToList();
            next += candidates.Count;
            var confirmed = new CustomerSite?[candidates.Count];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, candidates.Count),
                new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentConfirmations, CancellationToken = cancellationToken },
                async (i, ct) => confirmed[i] = await ConfirmAsync(dealerId, candidates[i], ct));
            for (var i = 0; i < candidates.Count; i++)
            {
                if (confirmed[i] is { } site)
                {
                    shown.Add(new MaintainedGateway(site, candidates[i].Alerts!, candidates[i].Names!));
                }
                else
                {
                    total--;
                }
            }
        }

        return (shown, total);
    }

    private async Task<CustomerSite?> ConfirmAsync(int dealerId, IndexedGateway row, CancellationToken cancellationToken)
    {
        if (await FindAsync(dealerId, row.GatewayId, cancellationToken) is { } site)
        {
            return site;
        }

        if (!await links.IsLinkedAsync(row.GatewayId, dealerId, cancellationToken))
        {
            await links.ForgetStaleAsync(dealerId, row, cancellationToken);
        }

        return null;
    }

    private static bool Matches(IndexedGateway row, string search) =>
        row.GatewayId.Contains(search, StringComparison.OrdinalIgnoreCase)
        || TextSearch.Matches(row.Names!.SiteName, search)
        || TextSearch.Matches(row.Names.CustomerName.Replace(" ", "", StringComparison.Ordinal), search.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>Rows from before the copies existed get them (a gateway no longer claimed is matched on its ID only: confirmation drops it).</summary>
    private async Task FillMissingCopiesAsync(int dealerId, List<IndexedGateway> indexed, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(
            Enumerable.Range(0, indexed.Count).Where(i => indexed[i].Alerts is null || indexed[i].Names is null),
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentConfirmations, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var row = indexed[i];
                if (row.Alerts is null)
                {
                    row = row with { Alerts = await links.RepairOpenAlertsAsync(dealerId, row.GatewayId, ct) };
                }

                if (row.Names is null)
                {
                    var names = await CurrentNamesAsync(row.GatewayId, ct);
                    if (names is not null)
                    {
                        await links.CopyListedNamesAsync(dealerId, row.GatewayId, names, ct);
                    }

                    row = row with { Names = names ?? new ListedNames("", "") };
                }

                indexed[i] = row;
            });

    /// <summary>The gateway's 案件 and its owner's name as they are now, or null for a gateway no longer claimed.</summary>
    private async Task<ListedNames?> CurrentNamesAsync(string gatewayId, CancellationToken cancellationToken) =>
        await claims.FindAsync(gatewayId, cancellationToken) is { Status: ClaimStatus.Active } claim
        && await sites.FindAsync(claim.OwnerUserId, gatewayId, cancellationToken) is { } site
            ? ListedNames.Of(site, await accounts.FindByUserIdAsync(site.UserId, cancellationToken))
            : null;
}
