using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using KpNet.Access;
using KpNet.Accounts;
using KpNet.Tests.Accounts;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Dealers;

/// <summary>
/// The dealer's list names each linked gateway's customer and is searched by gateway ID, 案件 and customer name over the
/// dealer's own index; only live links show names, and the list's views reach the customer's 閲覧履歴 once a day.
/// </summary>
public sealed class DealerListSearchTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_list_shows_each_customers_name_and_finds_gateways_by_id_site_or_customer_name()
    {
        var (dealer, dealerId, dealerPhone) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var (omuro, omuroGateway) = await LinkedCustomerAsync(new PersonName("御室", "花子"), "御室邸（自宅・京都）", dealerId, dealerPhone);
        var (gion, gionGateway) = await LinkedCustomerAsync(new PersonName("祇園", "太郎"), "祇園倉庫", dealerId, dealerPhone);
        using var __ = omuro;
        using var ___ = gion;

        var all = await ListAsync(dealer, "");
        Assert.Equal("御室 花子", Item(all, omuroGateway).GetProperty("customerName").GetString());
        Assert.Equal("祇園 太郎", Item(all, gionGateway).GetProperty("customerName").GetString());

        Assert.Equal([omuroGateway], Ids(await ListAsync(dealer, "御室花子")));
        Assert.Equal([gionGateway], Ids(await ListAsync(dealer, "倉庫")));
        Assert.Equal([omuroGateway], Ids(await ListAsync(dealer, "(自宅")));
        var byId = await ListAsync(dealer, gionGateway[^6..].ToLowerInvariant());
        Assert.Equal([gionGateway], Ids(byId));
        Assert.Equal(1, byId.GetProperty("total").GetInt32());
        var none = await ListAsync(dealer, "嵐山");
        Assert.Empty(Ids(none));
        Assert.Equal(0, none.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_dealer_no_longer_linked_neither_sees_nor_finds_the_customers_name()
    {
        var (dealer, dealerId, dealerPhone) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var (customer, gatewayId) = await LinkedCustomerAsync(new PersonName("嵯峨", "一郎"), "嵯峨野の家", dealerId, dealerPhone);
        using var __ = customer;
        Assert.Equal([gatewayId], Ids(await ListAsync(dealer, "嵯峨一郎")));

        using (var unlink = await customer.Client.DeleteAsync($"/api/gateways/{gatewayId}/dealers/{dealerId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, unlink.StatusCode);
        }

        Assert.Empty(Ids(await ListAsync(dealer, "嵯峨一郎")));
        Assert.Empty(Ids(await ListAsync(dealer, "")));
        Assert.Empty(await Links.IndexedGatewaysOfAsync(dealerId, CancellationToken.None));
    }

    [Fact]
    public async Task Paging_the_list_all_day_leaves_one_entry_per_gateway_in_the_customers_audit_log()
    {
        var (dealer, dealerId, dealerPhone) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var (customer, gatewayId) = await LinkedCustomerAsync(new PersonName("伏見", "稲子"), "伏見の工場", dealerId, dealerPhone);
        using var __ = customer;

        for (var i = 0; i < 3; i++)
        {
            await ListAsync(dealer, "");
        }

        await ListAsync(dealer, "伏見");
        var log = await GetJsonAsync(customer.Client, "/api/me/audit-log");
        var entry = Assert.Single(log.EnumerateArray());
        Assert.Equal(dealerId, entry.GetProperty("dealerId").GetInt32());
        Assert.Equal(gatewayId, entry.GetProperty("gatewayId").GetString());
        Assert.Equal(["site.name", "site.address", "name"], entry.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));

        using (var detail = await dealer.Client.GetAsync($"/api/dealer/gateways/{gatewayId}"))
        {
            Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        }

        Assert.Equal(2, (await GetJsonAsync(customer.Client, "/api/me/audit-log")).GetArrayLength());
    }

    [Fact]
    public async Task A_new_customer_name_or_site_name_is_found_and_a_stale_site_name_is_repaired_by_the_list()
    {
        var (dealer, dealerId, dealerPhone) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var (customer, gatewayId) = await LinkedCustomerAsync(new PersonName("山科", "次郎"), "山科の家", dealerId, dealerPhone);
        using var __ = customer;

        var accounts = _app.Services.GetRequiredService<AccountStore>();
        var renamed = (await accounts.FindByUserIdAsync(customer.Account.UserId, CancellationToken.None))! with { Name = new PersonName("醍醐", "次郎") };
        await accounts.ReplaceAsync(renamed, CancellationToken.None);
        await Links.RefreshCustomerNameAsync(renamed, CancellationToken.None);
        var found = await ListAsync(dealer, "醍醐");
        Assert.Equal([gatewayId], Ids(found));
        Assert.Equal("醍醐 次郎", Item(found, gatewayId).GetProperty("customerName").GetString());
        Assert.Empty(Ids(await ListAsync(dealer, "山科次郎")));

        using (var edit = await customer.Client.PatchAsJsonAsync($"/api/gateways/{gatewayId}",
            new { site = new { name = "醍醐の別宅", postalCode = "601-1366", prefecture = "京都府", city = "京都市伏見区", street = "醍醐東大路町22" } }))
        {
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        }

        Assert.Equal([gatewayId], Ids(await ListAsync(dealer, "別宅")));
        Assert.Empty(Ids(await ListAsync(dealer, "山科の家")));

        // A site edit whose copy was lost to a storage fault: the row still has the old 案件; the list that shows it repairs it.
        await AppTables.Client(azurite.ConnectionString, MaintenanceLinks.IndexTableName).UpdateEntityAsync(
            new TableEntity(dealerId.ToString(System.Globalization.CultureInfo.InvariantCulture), gatewayId) { ["SiteName"] = "山科の家" },
            global::Azure.ETag.All, TableUpdateMode.Merge);
        var stale = await ListAsync(dealer, "山科の家");
        Assert.Equal("醍醐の別宅", Item(stale, gatewayId).GetProperty("siteName").GetString());
        Assert.Empty(Ids(await ListAsync(dealer, "山科の家")));
    }

    [Fact]
    public async Task A_customer_who_changes_their_name_is_found_by_the_new_one_in_the_dealers_list()
    {
        var (dealer, dealerId, dealerPhone) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        var (customer, gatewayId) = await LinkedCustomerAsync(new PersonName("桂", "三郎"), "桂の家", dealerId, dealerPhone);
        using var __ = customer;

        using var changed = await customer.Client.PutAsJsonAsync("/api/me/profile", new
        {
            currentPassword = TestAccounts.DefaultPassword,
            name = new { family = "松尾", given = "三郎" },
            kana = new { family = "マツオ", given = "サブロウ" },
            postalCode = "616-0024",
            prefecture = "京都府",
            city = "京都市西京区",
            street = "嵐山宮町3",
            phone = customer.Account.Phone,
        });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        var found = await ListAsync(dealer, "松尾三郎");
        Assert.Equal([gatewayId], Ids(found));
        Assert.Equal("松尾 三郎", Item(found, gatewayId).GetProperty("customerName").GetString());
        Assert.Empty(Ids(await ListAsync(dealer, "桂三郎")));
    }

    private MaintenanceLinks Links => _app.Services.GetRequiredService<MaintenanceLinks>();

    /// <summary>A customer of the given name with one gateway, linked to the dealer through the API.</summary>
    private async Task<(Caller Customer, string GatewayId)> LinkedCustomerAsync(PersonName name, string siteName, int dealerId, string dealerPhone)
    {
        var customer = await SignInAsync(_app, name: name);
        var gatewayId = await AddGatewayAsync(_app, customer,
            new { name = siteName, postalCode = "616-8092", prefecture = "京都府", city = "京都市右京区", street = "御室大内33" });
        using var linked = await LinkAsync(customer, gatewayId, dealerId, dealerPhone);
        Assert.Equal(HttpStatusCode.Created, linked.StatusCode);
        return (customer, gatewayId);
    }

    private static Task<JsonElement> ListAsync(Caller dealer, string search) =>
        GetJsonAsync(dealer.Client, "/api/dealer/gateways?pageSize=50&search=" + Uri.EscapeDataString(search));

    private static JsonElement Item(JsonElement list, string gatewayId) =>
        list.GetProperty("items").EnumerateArray().Single(item => item.GetProperty("id").GetString() == gatewayId);

    private static List<string> Ids(JsonElement list) =>
        list.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetString()!).ToList();
}
