using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Inventory;
using KpNet.Tests.Registration;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Monitoring;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Gateways;

public sealed class GatewayManagementTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_customer_adds_gateways_then_lists_searches_pages_views_and_edits_them()
    {
        using var customer = await SignInAsync(_app);
        var first = await AddGatewayAsync(_app, customer);
        var second = await AddGatewayAsync(_app, customer, new { name = "大阪支店", postalCode = "５４１－００５５", prefecture = "大阪府", city = "大阪市中央区", street = "船場中央1-4-5" });

        var all = await GetJsonAsync(customer.Client, "/api/gateways");
        Assert.Equal(2, all.GetProperty("total").GetInt32());
        Assert.Equal(1, all.GetProperty("page").GetInt32());
        Assert.Equal(10, all.GetProperty("pageSize").GetInt32());
        var item = all.GetProperty("items")[0];
        Assert.Equal(first, item.GetProperty("id").GetString());
        Assert.Equal("XX株式会社 京都発電所", item.GetProperty("siteName").GetString());
        Assert.Equal("987-6543", item.GetProperty("siteAddress").GetProperty("postalCode").GetString());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("firstCommunicatedAt").ValueKind);
        Assert.Equal(0, item.GetProperty("dealerCount").GetInt32());

        Assert.Equal([second], Ids(await GetJsonAsync(customer.Client, "/api/gateways?prefecture=" + Uri.EscapeDataString("大阪府"))));
        Assert.Equal([second], Ids(await GetJsonAsync(customer.Client, "/api/gateways?site=" + Uri.EscapeDataString("大阪"))));
        Assert.Equal([first], Ids(await GetJsonAsync(customer.Client, "/api/gateways?id=" + first[2..8].ToLowerInvariant())));
        Assert.Equal([second], Ids(await GetJsonAsync(customer.Client, "/api/gateways?city=" + Uri.EscapeDataString("中央区") + "&address=" + Uri.EscapeDataString("船場"))));
        var paged = await GetJsonAsync(customer.Client, "/api/gateways?page=2&pageSize=1");
        Assert.Equal([second], Ids(paged));
        Assert.Equal(2, paged.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await customer.Client.GetAsync("/api/gateways?pageSize=0")).StatusCode);

        var detail = await GetJsonAsync(customer.Client, "/api/gateways/" + second.ToLowerInvariant());
        Assert.Equal(second, detail.GetProperty("id").GetString());
        Assert.Equal("GW-M001", detail.GetProperty("model").GetString());
        Assert.Equal("S" + second[2..], detail.GetProperty("serial").GetString());
        Assert.Equal("541-0055", detail.GetProperty("site").GetProperty("postalCode").GetString());
        Assert.Equal(0, detail.GetProperty("units").GetArrayLength());
        Assert.Equal(0, detail.GetProperty("dealers").GetArrayLength());
        var warranty = detail.GetProperty("warranty");
        Assert.Equal(10, warranty.GetProperty("years").GetInt32());
        Assert.Equal("registration", warranty.GetProperty("startBasis").GetString());
        Assert.False(warranty.GetProperty("extensionApplies").GetBoolean());

        using var invalid = await customer.Client.PatchAsJsonAsync("/api/gateways/" + second, new { site = new { name = "", postalCode = "12", prefecture = "大阪府", city = "大阪市", street = "1" } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(["site.name", "site.postalCode"], RegistrationClient.ErrorPaths(await JsonAsync(invalid)));

        using var edited = await customer.Client.PatchAsJsonAsync("/api/gateways/" + second, new { site = new { name = "大阪第二発電所", postalCode = "5410055", prefecture = "大阪府", city = "大阪市", street = "2-3" } });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var site = (await GetJsonAsync(customer.Client, "/api/gateways/" + second)).GetProperty("site");
        Assert.Equal("大阪第二発電所", site.GetProperty("name").GetString());
        Assert.Equal("541-0055", site.GetProperty("postalCode").GetString());
    }

    [Fact]
    public async Task The_owner_of_a_KPAC_B_gateway_enters_its_grid_connection_date_later_and_corrects_it_within_the_rules()
    {
        using var customer = await SignInAsync(_app);
        var kpacB = await AddKpacBGatewayAsync(customer);
        Assert.Equal("registration", (await GetJsonAsync(customer.Client, "/api/gateways/" + kpacB)).GetProperty("warranty").GetProperty("startBasis").GetString());
        var today = JapanTime.DateOf(DateTimeOffset.UtcNow);

        using (var future = await PutDateAsync(customer, kpacB, today.AddDays(1)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
            Assert.Equal("未来の日付は入力できません。", (await JsonAsync(future)).GetProperty("errors").GetProperty("gridConnectionDate")[0].GetString());
        }

        using (var empty = await customer.Client.PutAsJsonAsync($"/api/gateways/{kpacB}/grid-connection-date", new { gridConnectionDate = "" }))
        {
            Assert.Equal(["gridConnectionDate"], RegistrationClient.ErrorPaths(await JsonAsync(empty)));
        }

        using (var entered = await PutDateAsync(customer, kpacB, today.AddMonths(-1)))
        {
            Assert.Equal(HttpStatusCode.OK, entered.StatusCode);
            var detail = await JsonAsync(entered);
            Assert.Equal(today.AddMonths(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), detail.GetProperty("gridConnectionDate").GetString());
            Assert.Equal("gridConnection", detail.GetProperty("warranty").GetProperty("startBasis").GetString());
            Assert.True(detail.GetProperty("warranty").GetProperty("registeredInTime").GetBoolean());
        }

        using (var corrected = await PutDateAsync(customer, kpacB, today.AddYears(-1)))
        {
            Assert.False((await JsonAsync(corrected)).GetProperty("warranty").GetProperty("registeredInTime").GetBoolean());
        }

        var multiV2x = await AddGatewayAsync(_app, customer);
        using (var notKpacB = await PutDateAsync(customer, multiV2x, today.AddMonths(-1)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notKpacB.StatusCode);
            Assert.Equal(["gridConnectionDate"], RegistrationClient.ErrorPaths(await JsonAsync(notKpacB)));
        }

        using var stranger = await SignInAsync(_app);
        using var notTheirs = await PutDateAsync(stranger, kpacB, today.AddMonths(-2));
        Assert.Equal(HttpStatusCode.NotFound, notTheirs.StatusCode);
        Assert.Equal(today.AddYears(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            (await GetJsonAsync(customer.Client, "/api/gateways/" + kpacB)).GetProperty("gridConnectionDate").GetString());
    }

    private async Task<string> AddKpacBGatewayAsync(Caller customer)
    {
        var id = await MonitoredGateways.ImportAsync(_app, product: ProductLine.KpacB);
        using var added = await customer.Client.PostAsJsonAsync("/api/gateways", new { gateway = new { id, password = RegistrationClient.GatewayPassword }, site = Site });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        return id;
    }

    private static Task<HttpResponseMessage> PutDateAsync(Caller customer, string gatewayId, DateOnly date) =>
        customer.Client.PutAsJsonAsync($"/api/gateways/{gatewayId}/grid-connection-date",
            new { gridConnectionDate = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });

    [Fact]
    public async Task Adding_checks_the_sheet_like_registration_and_refuses_a_gateway_someone_holds()
    {
        using var customer = await SignInAsync(_app);
        using var other = await SignInAsync(_app);
        var taken = await AddGatewayAsync(_app, other);

        using var wrong = await customer.Client.PostAsJsonAsync("/api/gateways", new { gateway = new { id = taken, password = "wrong-password" }, site = Site });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(["gateway.id", "gateway.password"], RegistrationClient.ErrorPaths(await JsonAsync(wrong)));

        using var conflict = await customer.Client.PostAsJsonAsync("/api/gateways", new { gateway = new { id = taken, password = RegistrationClient.GatewayPassword }, site = Site });
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        using var missing = await customer.Client.PostAsJsonAsync("/api/gateways", new { gateway = new { id = "ABC" }, site = new { name = "x" } });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("gateway.password", RegistrationClient.ErrorPaths(await JsonAsync(missing)));
        Assert.Contains("site.postalCode", RegistrationClient.ErrorPaths(await JsonAsync(missing)));

        Assert.Equal(0, (await GetJsonAsync(customer.Client, "/api/gateways")).GetProperty("total").GetInt32());
        using var again = await other.Client.PostAsJsonAsync("/api/gateways", new { gateway = new { id = taken, password = RegistrationClient.GatewayPassword }, site = Site });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task A_replaced_gateway_hands_over_its_site_and_is_retired_for_everyone()
    {
        using var customer = await SignInAsync(_app);
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var old = await AddGatewayAsync(_app, customer, new { name = "交換する案件", postalCode = "600-8530", prefecture = "京都府", city = "京都市下京区", street = "堀川通1-2" });
        var replacement = await RegistrationClient.ImportGatewayAsync(_app);

        using var same = await customer.Client.PostAsJsonAsync($"/api/gateways/{old}/replacement", new { gateway = new { id = old, password = RegistrationClient.GatewayPassword } });
        Assert.Equal(HttpStatusCode.BadRequest, same.StatusCode);

        using var replaced = await customer.Client.PostAsJsonAsync($"/api/gateways/{old}/replacement", new { gateway = new { id = replacement, password = RegistrationClient.GatewayPassword } });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var detail = await JsonAsync(replaced);
        Assert.Equal(replacement, detail.GetProperty("id").GetString());
        Assert.Equal("交換する案件", detail.GetProperty("site").GetProperty("name").GetString());
        Assert.Equal([old], detail.GetProperty("replaces").EnumerateArray().Select(e => e.GetString()!).ToArray());

        Assert.Equal(HttpStatusCode.NotFound, (await customer.Client.GetAsync("/api/gateways/" + old)).StatusCode);
        Assert.Equal([replacement], Ids(await GetJsonAsync(customer.Client, "/api/gateways")));

        using var someoneElse = await SignInAsync(_app);
        using var reclaim = await someoneElse.Client.PostAsJsonAsync("/api/gateways", new { gateway = new { id = old, password = RegistrationClient.GatewayPassword }, site = Site });
        Assert.Equal(HttpStatusCode.Conflict, reclaim.StatusCode);
        using var verify = await _app.Client.PostAsJsonAsync("/api/gateways/verify", new { id = old, password = RegistrationClient.GatewayPassword });
        Assert.Equal(HttpStatusCode.Conflict, verify.StatusCode);
        using var register = await RegistrationClient.RegisterAsync(_app, RegistrationClient.Body(RegistrationClient.UniqueEmail(), old));
        Assert.Equal(HttpStatusCode.Conflict, register.StatusCode);

        var admin = await GetJsonAsync(operatorCaller.Client, "/api/operator/gateways/" + old);
        Assert.Equal("retired", admin.GetProperty("claim").GetProperty("status").GetString());
        Assert.Equal(customer.Account.UserId, admin.GetProperty("owner").GetProperty("userId").GetString());
        var history = admin.GetProperty("history")[0];
        Assert.Equal("ReplacedBy", history.GetProperty("kind").GetString());
        Assert.Equal(replacement, history.GetProperty("otherGatewayId").GetString());
    }

    [Fact]
    public async Task A_disposed_gateway_leaves_the_account_and_its_history_stays_with_the_operator()
    {
        using var customer = await SignInAsync(_app);
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var gatewayId = await AddGatewayAsync(_app, customer);

        Assert.Equal(HttpStatusCode.NoContent, (await customer.Client.DeleteAsync("/api/gateways/" + gatewayId)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await customer.Client.GetAsync("/api/gateways/" + gatewayId)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await customer.Client.DeleteAsync("/api/gateways/" + gatewayId)).StatusCode);
        Assert.Equal(0, (await GetJsonAsync(customer.Client, "/api/gateways")).GetProperty("total").GetInt32());

        var admin = await GetJsonAsync(operatorCaller.Client, "/api/operator/gateways/" + gatewayId);
        Assert.Equal("retired", admin.GetProperty("claim").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, admin.GetProperty("site").ValueKind);
        Assert.Equal(["Disposed", "Added"], admin.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToArray());
    }

    [Fact]
    public async Task The_operator_imports_inventory_csv_and_gets_counts_and_line_errors()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var id = "IM" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var csv = $"id,password,model,serial,product\n{id},abcdefghijk12,KP-GWBT-A,S{id},kpac-b\nBAD,abcdefghijk12,KP-GWBT-A,S1,kpac-b\n";

        using var first = await operatorCaller.Client.PostAsync("/api/operator/gateway-inventory", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var result = await JsonAsync(first);
        Assert.Equal(1, result.GetProperty("imported").GetInt32());
        Assert.Equal(0, result.GetProperty("alreadyPresent").GetInt32());
        Assert.Equal(3, result.GetProperty("errors")[0].GetProperty("line").GetInt32());

        using var second = await operatorCaller.Client.PostAsync("/api/operator/gateway-inventory", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(1, (await JsonAsync(second)).GetProperty("alreadyPresent").GetInt32());

        var gateway = await GetJsonAsync(operatorCaller.Client, "/api/operator/gateways/" + id);
        Assert.Equal("kpac-b", gateway.GetProperty("product").GetString());
        Assert.Equal(JsonValueKind.Null, gateway.GetProperty("owner").ValueKind);
    }

    private static string[] Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToArray();
}
