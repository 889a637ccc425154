using System.Text.Json;
using Azure.Data.Tables;
using KpNet.Access;
using KpNet.Accounts;
using KpNet.Inventory;
using KpNet.Telemetry.Alerts;
using KpNet.Tests.Accounts;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Gateways.GatewayTestClient;
using static KpNet.Tests.Monitoring.MonitoredGateways;

namespace KpNet.Tests.Dealers;

/// <summary>
/// The dealer's list pages over its own index partition, sorted on the open-alert copies its rows carry, and reads the
/// details of the page's gateways only; the copies follow every alert change and are repaired where they fall behind.
/// </summary>
public sealed class DealerListPagingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly TableRequestCounter _requests = new();
    private TestApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync(azurite.ConnectionString, configure: builder => builder.Services.AddSingleton(_requests.Registration));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static DateTimeOffset Now => new(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    [Fact]
    public async Task A_page_of_a_dealer_with_many_gateways_reads_the_details_of_that_pages_gateways_only()
    {
        var (dealer, dealerId, _) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var gatewayIds = await SeedLinkedAsync(dealerId, 120);

        _requests.Reset();
        var list = await GetJsonAsync(dealer.Client, "/api/dealer/gateways?page=2&pageSize=10");

        Assert.Equal(120, list.GetProperty("total").GetInt32());
        Assert.Equal(gatewayIds.Order(StringComparer.Ordinal).Skip(10).Take(10), Ids(list));
        Assert.Equal(1L, _requests.Reads(MaintenanceLinks.IndexTableName));
        Assert.Equal(10L, _requests.Reads(MaintenanceLinks.TableName));
        Assert.Equal(10L, _requests.Reads(GatewayClaims.TableName));
        Assert.Equal(10L, _requests.Reads(CustomerSites.TableName));
        Assert.Equal(10L, _requests.Reads(AlertStore.TableName));
    }

    [Fact]
    public async Task Gateways_sort_by_their_most_severe_open_alert_then_by_how_many_are_open_then_by_id()
    {
        var (dealer, dealerId, _) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var ids = (await SeedLinkedAsync(dealerId, 4)).Order(StringComparer.Ordinal).ToList();
        var start = Now.AddMinutes(-2);
        var (quiet, oneWarning, twoWarnings, critical) = (ids[0], ids[1], ids[2], ids[3]);
        await SendAsync(_app, Event(oneWarning, 1, start, batteryTempC: -15));
        await SendAsync(_app, Event(twoWarnings, 1, start, batteryTempC: -15, batterySoc: 2, batteryW: 500));
        await SendAsync(_app, Event(critical, 1, start, batteryTempC: 62));

        Assert.Equal([critical, twoWarnings, oneWarning, quiet], Ids(await GetJsonAsync(dealer.Client, "/api/dealer/gateways")));

        await SendAsync(_app, Event(critical, 2, start.AddMinutes(1)));

        Assert.Equal([twoWarnings, oneWarning, quiet, critical], Ids(await GetJsonAsync(dealer.Client, "/api/dealer/gateways")));
    }

    [Fact]
    public async Task A_dealer_row_left_behind_by_an_interrupted_unlink_is_left_out_of_the_list_and_dropped()
    {
        var (dealer, dealerId, _) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var ids = (await SeedLinkedAsync(dealerId, 3)).Order(StringComparer.Ordinal).ToList();
        // The unlink's first write (the truth row) happened, its second (the index row) did not.
        await AppTables.Client(azurite.ConnectionString, MaintenanceLinks.TableName)
            .UpdateEntityAsync(new TableEntity(ids[1], "links") { ["Links"] = "[]" }, global::Azure.ETag.All, TableUpdateMode.Replace);

        var list = await GetJsonAsync(dealer.Client, "/api/dealer/gateways");

        Assert.Equal([ids[0], ids[2]], Ids(list));
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        Assert.Equal([ids[0], ids[2]], (await Links.IndexedGatewaysOfAsync(dealerId, CancellationToken.None)).Select(row => row.GatewayId));
    }

    [Fact]
    public async Task A_link_whose_index_row_was_never_written_is_listed_again_once_the_link_is_asked_for_again()
    {
        var (dealer, dealerId, _) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var ids = (await SeedLinkedAsync(dealerId, 2)).Order(StringComparer.Ordinal).ToList();
        // The link's first write (the truth row) happened, its second (the index row) did not: a crash, or a write that
        // landed unseen so that the client's retry met "already linked".
        await AppTables.Client(azurite.ConnectionString, MaintenanceLinks.IndexTableName)
            .DeleteEntityAsync(dealerId.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[1]);
        Assert.Equal([ids[0]], Ids(await GetJsonAsync(dealer.Client, "/api/dealer/gateways")));

        var again = await Links.TryLinkAsync(ids[1], dealerId, Now, new ListedNames("案件 " + ids[1], "御室 花子"), CancellationToken.None);

        Assert.IsType<LinkOutcome.AlreadyLinked>(again);
        Assert.Equal(ids, Ids(await GetJsonAsync(dealer.Client, "/api/dealer/gateways")));
    }

    [Fact]
    public async Task An_index_row_written_before_alert_copies_existed_gets_one_and_sorts_by_it()
    {
        var (dealer, dealerId, _) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var ids = (await SeedLinkedAsync(dealerId, 3)).Order(StringComparer.Ordinal).ToList();
        await SendAsync(_app, Event(ids[2], 1, Now.AddMinutes(-1), batteryTempC: 62));
        await AppTables.Client(azurite.ConnectionString, MaintenanceLinks.IndexTableName)
            .UpsertEntityAsync(new TableEntity(dealerId.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[2]), TableUpdateMode.Replace);

        Assert.Equal([ids[2], ids[0], ids[1]], Ids(await GetJsonAsync(dealer.Client, "/api/dealer/gateways")));
        var row = Assert.Single(await Links.IndexedGatewaysOfAsync(dealerId, CancellationToken.None), row => row.GatewayId == ids[2]);
        Assert.Equal((1, AlertSeverity.Critical), (row.Alerts!.Count, row.Alerts.MostSevere));
    }

    [Fact]
    public async Task A_copy_that_fell_behind_an_alert_change_is_repaired_by_the_list_that_shows_the_gateway()
    {
        var (dealer, dealerId, _) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var ids = (await SeedLinkedAsync(dealerId, 3)).Order(StringComparer.Ordinal).ToList();
        await SendAsync(_app, Event(ids[2], 1, Now.AddMinutes(-1), batteryTempC: 62));
        // As if the copy after the raise had been lost to a storage fault: the row still has the state before it.
        await AppTables.Client(azurite.ConnectionString, MaintenanceLinks.IndexTableName).UpsertEntityAsync(
            new TableEntity(dealerId.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[2]) { ["OpenAlerts"] = 0, ["AlertsVersion"] = 0L },
            TableUpdateMode.Replace);

        var stale = await GetJsonAsync(dealer.Client, "/api/dealer/gateways");
        Assert.Equal(ids, Ids(stale));
        Assert.Equal(1, stale.GetProperty("items")[2].GetProperty("alerts").GetProperty("faultCount").GetInt32());

        Assert.Equal([ids[2], ids[0], ids[1]], Ids(await GetJsonAsync(dealer.Client, "/api/dealer/gateways")));
    }

    [Fact]
    public async Task An_alert_change_copied_late_does_not_overwrite_a_newer_one()
    {
        var (dealer, dealerId, _) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var ids = (await SeedLinkedAsync(dealerId, 2)).Order(StringComparer.Ordinal).ToList();
        var start = Now.AddMinutes(-2);
        await SendAsync(_app, Event(ids[1], 1, start, batteryTempC: 62));
        var raised = (await _app.Services.GetRequiredService<AlertStore>().GetSummaryAsync(ids[1], CancellationToken.None)).OpenAlerts;

        await SendAsync(_app, Event(ids[1], 2, start.AddMinutes(1)));
        await Links.CopyOpenAlertsAsync(dealerId, ids[1], raised, CancellationToken.None);

        var row = Assert.Single(await Links.IndexedGatewaysOfAsync(dealerId, CancellationToken.None), row => row.GatewayId == ids[1]);
        Assert.Equal((0, (AlertSeverity?)null), (row.Alerts!.Count, row.Alerts.MostSevere));
        Assert.Equal(ids, Ids(await GetJsonAsync(dealer.Client, "/api/dealer/gateways")));
    }

    private MaintenanceLinks Links => _app.Services.GetRequiredService<MaintenanceLinks>();

    private static List<string> Ids(JsonElement list) =>
        list.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetString()!).ToList();

    /// <summary>Gateways of one customer linked to the dealer through the services the API uses (no mails, no throttles).</summary>
    private async Task<List<string>> SeedLinkedAsync(int dealerId, int count)
    {
        var (owner, _) = await TestAccounts.CreateActiveAsync(_app);
        var ids = Enumerable.Range(0, count).Select(_ => NewGatewayId()).ToList();
        await _app.Services.GetRequiredService<GatewayInventory>().ImportAsync(
            ids.Select(id => new InventoryRow(id, Password, "GW-M001", "S" + id, ProductLine.MultiV2x)).ToList(), CancellationToken.None);
        var claims = _app.Services.GetRequiredService<GatewayClaims>();
        var sites = _app.Services.GetRequiredService<CustomerSites>();
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            await claims.TryInsertAsync(new GatewayClaim(id, owner.UserId, owner.Email, ClaimStatus.Active, now, null, default), ct);
            var site = new CustomerSite(owner.UserId, id, "案件 " + id, new PostalAddress("605-0073", "京都府", "京都市東山区", "祇園町北側1"), null, now);
            await sites.UpsertAsync(site, ct);
            Assert.IsType<LinkOutcome.Linked>(await Links.TryLinkAsync(id, dealerId, now, ListedNames.Of(site, owner), ct));
        });
        return ids;
    }
}
