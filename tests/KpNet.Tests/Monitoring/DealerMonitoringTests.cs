using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KpNet.Hosting.Invocation;
using KpNet.Telemetry.Alerts;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Gateways.GatewayTestClient;
using static KpNet.Tests.Monitoring.MonitoredGateways;

namespace KpNet.Tests.Monitoring;

public sealed class DealerMonitoringTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private TestApp _app = null!;

    // An account of each test's own: the clock this test moves must not reach another test's mails.
    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync(await AzuriteFixture.LeaseAccountAsync(), configure: b => b.Services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private DateTimeOffset Now => new(_clock.GetUtcNow().Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    [Fact]
    public async Task A_linked_dealer_monitors_and_operates_the_gateway_gets_fault_mails_at_its_staff_address_and_loses_access_when_unlinked()
    {
        using var customer = await SignInAsync(_app);
        var gatewayId = await AddGatewayAsync(_app, customer);
        var (dealer, dealerId, phone) = await SignUpDealerAsync(_app);
        var staffEmail = "staff-" + dealer.Account.Email;
        Assert.Equal(HttpStatusCode.NotFound, (await dealer.Client.GetAsync($"/api/gateways/{gatewayId}/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await LinkAsync(customer, gatewayId, dealerId, phone)).StatusCode);

        var start = Now.AddMinutes(-20);
        await SendAsync(_app, Event(gatewayId, 1, start, FaultyUnits("E411")));
        Assert.Equal(HttpStatusCode.OK, (await dealer.Client.GetAsync($"/api/gateways/{gatewayId}/status")).StatusCode);
        var put = await dealer.Client.PutAsJsonAsync($"/api/gateways/{gatewayId}/settings", new { operationMode = "backup", batteryReservePercent = 80 });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("backup", (await customer.Client.GetFromJsonAsync<JsonElement>($"/api/gateways/{gatewayId}/settings")).GetProperty("operationMode").GetString());

        var staffMail = Assert.Single(await WaitForMailsAsync(_app, staffEmail, "【異常発生のお知らせ】", 1));
        Assert.StartsWith("テスト販売店 保守ご担当者 様", staffMail.Text);
        Assert.Contains("内部温度異常", staffMail.Text);
        Assert.Single(await WaitForMailsAsync(_app, customer.Account.Email, "【異常発生のお知らせ】", 1));
        var alerts = await dealer.Client.GetFromJsonAsync<List<JsonElement>>($"/api/gateways/{gatewayId}/alerts");
        Assert.Equal("E411", Assert.Single(alerts!).GetProperty("code").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await customer.Client.DeleteAsync($"/api/gateways/{gatewayId}/dealers/{dealerId}")).StatusCode);
        foreach (var path in new[] { "status", "history", "alerts", "settings" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await dealer.Client.GetAsync($"/api/gateways/{gatewayId}/{path}")).StatusCode);
        }

        await SendAsync(_app, Event(gatewayId, 2, start.AddMinutes(1)));
        await WaitForMailsAsync(_app, customer.Account.Email, "【復旧のお知らせ】", 1);
        Assert.DoesNotContain(await MailsToAsync(_app, staffEmail), m => m.Subject.StartsWith("【復旧のお知らせ】", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_warranty_on_the_gateway_detail_carries_the_connectivity_record_from_the_offline_alerts()
    {
        using var customer = await SignInAsync(_app);
        var gatewayId = await AddGatewayAsync(_app, customer);
        await SendAsync(_app, Event(gatewayId, 1, Now));
        var connectivity = () => customer.Client.GetFromJsonAsync<JsonElement>($"/api/gateways/{gatewayId}")
            .ContinueWith(t => t.Result.GetProperty("warranty").GetProperty("connectivity"), TaskScheduler.Default);
        Assert.Equal((0, 0, false), Read(await connectivity()));

        _clock.Advance(TimeSpan.FromMinutes(45));
        var sweep = await _app.InvokeAsync(OfflineSweepFunction.Name, """{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""");
        Assert.Equal(InvocationOutcome.Succeeded, sweep.Outcome);
        var (minutes, periods, offlineNow) = Read(await connectivity());
        Assert.Equal((1, true), (periods, offlineNow));
        Assert.InRange(minutes, 44, 46);

        // Less than the hour the sender's SAS token lives, as the ingest endpoint checks it against the moved clock.
        _clock.Advance(TimeSpan.FromMinutes(10));
        await SendAsync(_app, Event(gatewayId, 2, Now));
        (minutes, periods, offlineNow) = Read(await connectivity());
        Assert.Equal((1, false), (periods, offlineNow));
        Assert.InRange(minutes, 54, 56);
    }

    private static (long Minutes, int Periods, bool OfflineNow) Read(JsonElement connectivity) =>
        (connectivity.GetProperty("offlineMinutes").GetInt64(), connectivity.GetProperty("offlinePeriods").GetInt32(), connectivity.GetProperty("offlineNow").GetBoolean());
}
