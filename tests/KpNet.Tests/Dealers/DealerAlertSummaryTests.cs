using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KpNet.Telemetry.Alerts;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Gateways.GatewayTestClient;
using static KpNet.Tests.Monitoring.MonitoredGateways;

namespace KpNet.Tests.Dealers;

/// <summary>The dealer's list and detail summarise the gateway's open alerts from the Alerts table, alerting gateways first.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DealerAlertSummaryTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private TestApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync(azurite.ConnectionString, configure: b => b.Services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync()
    {
        await WaitForOutboxDrainedAsync(_app);
        await _app.DisposeAsync();
    }

    private DateTimeOffset Now => new(_clock.GetUtcNow().Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

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
    public async Task An_offline_gateway_comes_first_in_the_dealers_list_on_every_page_size_and_falls_back_into_id_order_once_it_reconnects()
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

        // Only the last gateway in ID order has ever communicated, so only it can fall silent.
        var silent = gatewayIds[^1];
        await SendAsync(_app, Event(silent, 1, Now));
        _clock.Advance(TimeSpan.FromMinutes(45));
        await SweepOfflineAsync();

        Assert.Equal([silent, gatewayIds[0], gatewayIds[1]], await ListedIdsAsync(dealer.Client, pageSize: 10));
        Assert.Equal([silent], await ListedIdsAsync(dealer.Client, pageSize: 1));
        Assert.Equal([gatewayIds[1]], await ListedIdsAsync(dealer.Client, pageSize: 1, page: 3));
        var offline = (await GetJsonAsync(dealer.Client, "/api/dealer/gateways")).GetProperty("items")[0].GetProperty("alerts");
        Assert.Equal(1, offline.GetProperty("faultCount").GetInt32());
        Assert.Equal(("offline", "warning"), (offline.GetProperty("open")[0].GetProperty("code").GetString(), offline.GetProperty("open")[0].GetProperty("severity").GetString()));
        var detail = (await GetJsonAsync(dealer.Client, "/api/dealer/gateways/" + silent)).GetProperty("alerts");
        Assert.Equal("offline", Assert.Single(detail.GetProperty("open").EnumerateArray()).GetProperty("code").GetString());

        // Less than the hour the sender's SAS token lives, as the ingest endpoint checks it against the moved clock.
        _clock.Advance(TimeSpan.FromMinutes(10));
        await SendAsync(_app, Event(silent, 2, Now));

        Assert.Equal(gatewayIds, await ListedIdsAsync(dealer.Client, pageSize: 10));
        Assert.Empty((await GetJsonAsync(dealer.Client, "/api/dealer/gateways/" + silent)).GetProperty("alerts").GetProperty("open").EnumerateArray());
    }

    private async Task SweepOfflineAsync()
    {
        using var sweep = await _app.Client.PostAsync("/" + OfflineSweepFunction.Name,
            new StringContent("""{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, sweep.StatusCode);
    }

    private static async Task<List<string>> ListedIdsAsync(HttpClient dealer, int pageSize, int page = 1)
    {
        var list = await GetJsonAsync(dealer, $"/api/dealer/gateways?page={page}&pageSize={pageSize}");
        Assert.Equal(3, list.GetProperty("total").GetInt32());
        return list.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetString()!).ToList();
    }
}
