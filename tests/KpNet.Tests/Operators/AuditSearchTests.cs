using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Operators;

/// <summary>The operator's audit log search (by customer, dealer or operator, over Japan-time days) and its CSV export.</summary>
public sealed class AuditSearchTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_log_is_found_by_customer_dealer_or_operator_within_the_days_asked_and_nothing_else()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        using var customer = await SignInAsync(_app);
        var gateway = await AddGatewayAsync(_app, customer);
        var (dealer, dealerId, phone) = await SignUpDealerAsync(_app);
        using var dealerCaller = dealer;
        (await LinkAsync(customer, gateway, dealerId, phone)).EnsureSuccessStatusCode();
        await GetJsonAsync(dealer.Client, "/api/dealer/gateways/" + gateway);
        await GetJsonAsync(operatorCaller.Client, "/api/operator/gateways/" + gateway);
        var today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var tomorrow = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var byCustomer = await SearchAsync(operatorCaller, $"customer={Uri.EscapeDataString(customer.Account.Email)}&from={today}&to={today}");
        var byDealer = await SearchAsync(operatorCaller, $"dealerId={dealerId}");
        var byOperator = await SearchAsync(operatorCaller, $"operator={Uri.EscapeDataString(operatorCaller.Account.Email)}");

        Assert.Equal([operatorCaller.Account.UserId, dealer.Account.UserId], byCustomer.Select(e => e.GetProperty("viewerUserId").GetString()));
        Assert.All(byCustomer, e => Assert.Equal(customer.Account.UserId, e.GetProperty("customerUserId").GetString()));
        var dealerEntry = Assert.Single(byDealer);
        Assert.Equal((dealerId, customer.Account.UserId), (dealerEntry.GetProperty("dealerId").GetInt32(), dealerEntry.GetProperty("customerUserId").GetString()));
        Assert.Equal(gateway, Assert.Single(byOperator).GetProperty("gatewayId").GetString());
        Assert.Empty(await SearchAsync(operatorCaller, $"userId={customer.Account.UserId}&from={tomorrow}"));
        Assert.Empty(await SearchAsync(operatorCaller, $"operator={Uri.EscapeDataString(customer.Account.Email)}"));
    }

    [Theory]
    [InlineData("", "customer", "お客様 (メールアドレスまたはユーザーID)、販売店ID、運営のメールアドレスのいずれか1つを指定してください。")]
    [InlineData("customer=u1&dealerId=4001", "customer", "お客様 (メールアドレスまたはユーザーID)、販売店ID、運営のメールアドレスのいずれか1つを指定してください。")]
    [InlineData("dealerId=40a1", "dealerId", "販売店IDは数字で入力してください。")]
    [InlineData("operator=not-an-address", "operator", "メールアドレスの形式が正しくありません。")]
    [InlineData("customer=u1&from=2026-13-01", "from", "日付は YYYY-MM-DD の形式で入力してください。")]
    [InlineData("customer=u1&from=2026-12-02&to=2026-12-01", "to", "終了日は開始日以降の日付にしてください。")]
    public async Task A_search_that_cannot_be_run_is_a_400_naming_the_parameter(string query, string parameter, string message)
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);

        foreach (var path in new[] { "/api/operator/audit-log?", "/api/operator/audit-log/export?" })
        {
            using var response = await operatorCaller.Client.GetAsync(path + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(message, (await JsonAsync(response)).GetProperty("errors").GetProperty(parameter)[0].GetString());
        }
    }

    [Fact]
    public async Task The_export_is_a_utf8_csv_with_a_bom_in_japan_time_whose_cells_a_spreadsheet_never_runs_as_formulas()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        using var customer = await SignInAsync(_app);
        const string reason = "=HYPERLINK(\"x\"),ご依頼";
        (await operatorCaller.Client.PostAsJsonAsync($"/api/operator/accounts/{customer.Account.UserId}/lock", new { reason })).EnsureSuccessStatusCode();

        using var response = await operatorCaller.Client.GetAsync("/api/operator/audit-log/export?customer=" + customer.Account.UserId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment; filename=\"audit-log.csv\"", response.Content.Headers.ContentDisposition?.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = System.Text.Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("at,customerUserId,viewerUserId,dealerId,dealerName,gatewayId,fields,action,reason", lines[0]);
        var row = Assert.Single(lines[1..]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00,", row);
        Assert.EndsWith($",{customer.Account.UserId},{operatorCaller.Account.UserId},,,,,account-locked,\"'=HYPERLINK(\"\"x\"\"),ご依頼\"", row);
    }

    private static async Task<List<JsonElement>> SearchAsync(Caller operatorCaller, string query) =>
        (await GetJsonAsync(operatorCaller.Client, "/api/operator/audit-log?" + query)).EnumerateArray().ToList();
}
