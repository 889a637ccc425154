using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using KpNet.Tests.Infrastructure;
using static KpNet.Tests.Gateways.GatewayTestClient;
using static KpNet.Tests.Monitoring.MonitoredGateways;

namespace KpNet.Tests.Dealers;

/// <summary>The dealer's list and detail summarise the gateway's open alerts from the Alerts table, alerting gateways first.</summary>
public sealed class DealerAlertSummaryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static DateTimeOffset Now => new(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    [Fact]
    public async Task A_battery_temperature_alert_shows_in_the_dealers_list_and_detail_until_it_clears()
    {
        using var customer = await SignInAsync(_app);
        var gatewayId = await AddGatewayAsync(_app, customer);
        var (dealer, dealerId, phone) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        Assert.Equal(HttpStatusCode.Created, (await LinkAsync(customer, gatewayId, dealerId, phone)).StatusCode);

        var raisedAt = Now.AddMinutes(-2);
        await SendAsync(_app, Event(gatewayId, 1, raisedAt, batteryTempC: 62));

        var listed = Assert.Single((await GetJsonAsync(dealer.Client, "/api/dealer/gateways")).GetProperty("items").EnumerateArray()).GetProperty("alerts");
        var detail = (await GetJsonAsync(dealer.Client, "/api/dealer/gateways/" + gatewayId)).GetProperty("alerts");
        foreach (var summary in new[] { listed, detail })
        {
            Assert.Equal(1, summary.GetProperty("faultCount").GetInt32());
            Assert.Empty(summary.GetProperty("faultyUnits").EnumerateArray());
            var alert = Assert.Single(summary.GetProperty("open").EnumerateArray());
            Assert.Equal(("battery-temp-high", 0, "critical", raisedAt), (
                alert.GetProperty("code").GetString(), alert.GetProperty("unitNo").GetInt32(), alert.GetProperty("severity").GetString(),
                alert.GetProperty("raisedAt").GetDateTimeOffset()));
            Assert.Equal("蓄電池温度が高すぎます（50℃超）", alert.GetProperty("message").GetString());
        }

        using var english = new HttpRequestMessage(HttpMethod.Get, "/api/dealer/gateways/" + gatewayId) { Headers = { AcceptLanguage = { new StringWithQualityHeaderValue("en") } } };
        using var englishResponse = await dealer.Client.SendAsync(english);
        Assert.Equal("The battery is too hot (above 50 °C).",
            (await JsonAsync(englishResponse)).GetProperty("alerts").GetProperty("open")[0].GetProperty("message").GetString());

        await SendAsync(_app, Event(gatewayId, 2, raisedAt.AddMinutes(1)));

        listed = (await GetJsonAsync(dealer.Client, "/api/dealer/gateways")).GetProperty("items")[0].GetProperty("alerts");
        detail = (await GetJsonAsync(dealer.Client, "/api/dealer/gateways/" + gatewayId)).GetProperty("alerts");
        foreach (var summary in new[] { listed, detail })
        {
            Assert.Equal(0, summary.GetProperty("faultCount").GetInt32());
            Assert.Empty(summary.GetProperty("open").EnumerateArray());
        }
    }

    [Fact]
    public async Task A_gateway_with_an_open_alert_comes_first_in_the_dealers_list_on_every_page_and_falls_back_into_id_order_once_it_clears()
    {
        using var customer = await SignInAsync(_app);
        var gatewayIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            gatewayIds.Add(await AddGatewayAsync(_app, customer));
        }

        gatewayIds.Sort(StringComparer.Ordinal);
        var (dealer, dealerId, phone) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        foreach (var gatewayId in gatewayIds)
        {
            Assert.Equal(HttpStatusCode.Created, (await LinkAsync(customer, gatewayId, dealerId, phone)).StatusCode);
        }

        Assert.Equal(gatewayIds, await ListedIdsAsync(dealer.Client, pageSize: 10));

        var cold = gatewayIds[^1];
        var start = Now.AddMinutes(-2);
        await SendAsync(_app, Event(cold, 1, start, batteryTempC: -15));

        Assert.Equal([cold, gatewayIds[0], gatewayIds[1]], await ListedIdsAsync(dealer.Client, pageSize: 10));
        Assert.Equal([cold], await ListedIdsAsync(dealer.Client, pageSize: 1));
        Assert.Equal([gatewayIds[1]], await ListedIdsAsync(dealer.Client, pageSize: 1, page: 3));
        var listed = (await GetJsonAsync(dealer.Client, "/api/dealer/gateways")).GetProperty("items")[0].GetProperty("alerts");
        Assert.Equal(1, listed.GetProperty("faultCount").GetInt32());
        var alert = Assert.Single(listed.GetProperty("open").EnumerateArray());
        Assert.Equal(("battery-temp-low", "warning"), (alert.GetProperty("code").GetString(), alert.GetProperty("severity").GetString()));

        await SendAsync(_app, Event(cold, 2, start.AddMinutes(1)));

        Assert.Equal(gatewayIds, await ListedIdsAsync(dealer.Client, pageSize: 10));
        Assert.Empty((await GetJsonAsync(dealer.Client, "/api/dealer/gateways/" + cold)).GetProperty("alerts").GetProperty("open").EnumerateArray());
    }

    private static async Task<List<string>> ListedIdsAsync(HttpClient dealer, int pageSize, int page = 1)
    {
        var list = await GetJsonAsync(dealer, $"/api/dealer/gateways?page={page}&pageSize={pageSize}");
        Assert.Equal(3, list.GetProperty("total").GetInt32());
        return list.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetString()!).ToList();
    }
}
