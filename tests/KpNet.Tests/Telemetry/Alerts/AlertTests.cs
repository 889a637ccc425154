using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KpNet.Hosting.Invocation;
using KpNet.Telemetry.Alerts;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Monitoring.MonitoredGateways;

namespace KpNet.Tests.Telemetry.Alerts;

public sealed class AlertTests : IAsyncLifetime
{
    private const string RaisedSubject = "【異常発生のお知らせ】";
    private const string ClearedSubject = "【復旧のお知らせ】";

    private readonly FakeTimeProvider _clock = new();
    private TestApp _app = null!;

    // An account of each test's own: the clock this test moves must not reach another test's mails.
    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync(await AzuriteFixture.LeaseAccountAsync(), configure: b => b.Services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private DateTimeOffset Now => new(_clock.GetUtcNow().Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static async Task<List<JsonElement>> AlertsAsync(MonitoredGateway gateway)
    {
        var response = await gateway.OwnerClient.GetAsync($"/api/gateways/{gateway.Id}/alerts");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<List<JsonElement>>())!;
    }

    private Task<InvocationResult> SweepAsync() =>
        _app.InvokeAsync(OfflineSweepFunction.Name, """{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""");

    [Fact]
    public async Task A_unit_fault_is_raised_and_mailed_once_under_replays_and_cleared_with_one_recovery_mail()
    {
        var gateway = await CreateOwnedAsync(_app);
        var start = Now.AddMinutes(-30);
        var faulty = Event(gateway.Id, 1, start, FaultyUnits("E101"));

        await SendAsync(_app, faulty);
        await SendAsync(_app, faulty, Event(gateway.Id, 2, start.AddMinutes(1), FaultyUnits("E101")));
        await SendAsync(_app, faulty);

        var raised = Assert.Single(await WaitForMailsAsync(_app, gateway.Owner.Email, RaisedSubject, 1));
        Assert.Contains(gateway.Id, raised.Subject);
        Assert.Contains("E101", raised.Text);
        Assert.Contains("系統過電圧", raised.Text);
        Assert.Contains("ユニット2", raised.Text);
        var alert = Assert.Single(await AlertsAsync(gateway));
        Assert.Equal("E101", alert.GetProperty("code").GetString());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        Assert.Equal(start, alert.GetProperty("raisedAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, alert.GetProperty("clearedAt").ValueKind);

        await SendAsync(_app, Event(gateway.Id, 3, start.AddMinutes(2)));
        await SendAsync(_app, Event(gateway.Id, 3, start.AddMinutes(2)), faulty);

        var cleared = Assert.Single(await WaitForMailsAsync(_app, gateway.Owner.Email, ClearedSubject, 1));
        Assert.Contains("E101", cleared.Text);
        alert = Assert.Single(await AlertsAsync(gateway));
        Assert.Equal(start.AddMinutes(2), alert.GetProperty("clearedAt").GetDateTimeOffset());
        var mails = await MailsToAsync(_app, gateway.Owner.Email);
        Assert.Single(mails, m => m.Subject.StartsWith(RaisedSubject, StringComparison.Ordinal));
        Assert.Single(mails, m => m.Subject.StartsWith(ClearedSubject, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_flapping_fault_does_not_mail_again_within_the_hold_off_but_does_after_it()
    {
        var gateway = await CreateOwnedAsync(_app);
        var start = Now.AddHours(-2);
        var seq = 0;
        async Task SendAtAsync(int minutes, bool fault) =>
            await SendAsync(_app, Event(gateway.Id, ++seq, start.AddMinutes(minutes), fault ? FaultyUnits("E203") : """[{"no":1,"status":"run","faults":[]},{"no":2,"status":"run","faults":[]}]"""));

        await SendAtAsync(0, fault: true);
        await SendAtAsync(1, fault: false);
        await SendAtAsync(5, fault: true);
        await SendAtAsync(6, fault: false);
        await SendAtAsync(10, fault: true);
        await SendAtAsync(40, fault: false);
        await SendAtAsync(45, fault: true);

        await WaitForMailsAsync(_app, gateway.Owner.Email, RaisedSubject, 2);
        var mails = await MailsToAsync(_app, gateway.Owner.Email);
        Assert.Equal(2, mails.Count(m => m.Subject.StartsWith(RaisedSubject, StringComparison.Ordinal)));
        Assert.Single(mails, m => m.Subject.StartsWith(ClearedSubject, StringComparison.Ordinal));
        var alerts = await AlertsAsync(gateway);
        Assert.Equal(4, alerts.Count);
        Assert.Equal(start.AddMinutes(45), alerts[0].GetProperty("raisedAt").GetDateTimeOffset());
        Assert.Equal(start, alerts[^1].GetProperty("raisedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Battery_over_temperature_raises_an_alert_and_cooling_down_clears_it()
    {
        var gateway = await CreateOwnedAsync(_app);
        var start = Now.AddMinutes(-10);

        await SendAsync(_app, Event(gateway.Id, 1, start, batteryTempC: 58));
        var raised = Assert.Single(await WaitForMailsAsync(_app, gateway.Owner.Email, RaisedSubject, 1));
        Assert.Contains(AlertCatalogue.BatteryTemperatureHigh, raised.Subject);
        Assert.Contains("蓄電池温度が高すぎます", raised.Text);

        await SendAsync(_app, Event(gateway.Id, 2, start.AddMinutes(1), batteryTempC: 35));
        await WaitForMailsAsync(_app, gateway.Owner.Email, ClearedSubject, 1);
        var alert = Assert.Single(await AlertsAsync(gateway));
        Assert.Equal(AlertCatalogue.BatteryTemperatureHigh, alert.GetProperty("code").GetString());
        Assert.Equal(0, alert.GetProperty("unitNo").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, alert.GetProperty("clearedAt").ValueKind);
    }

    [Fact]
    public async Task The_offline_sweep_raises_loss_of_communication_once_and_the_next_event_clears_it()
    {
        var gateway = await CreateOwnedAsync(_app);
        var lastSeen = Now;
        await SendAsync(_app, Event(gateway.Id, 1, lastSeen));

        _clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(InvocationOutcome.Succeeded, (await SweepAsync()).Outcome);
        Assert.Empty(await AlertsAsync(gateway));

        _clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(InvocationOutcome.Succeeded, (await SweepAsync()).Outcome);
        Assert.Equal(InvocationOutcome.Succeeded, (await SweepAsync()).Outcome);

        var offline = Assert.Single(await AlertsAsync(gateway));
        Assert.Equal(AlertCatalogue.Offline, offline.GetProperty("code").GetString());
        Assert.InRange(offline.GetProperty("raisedAt").GetDateTimeOffset() - lastSeen, AlertRules.OfflineAfter, AlertRules.OfflineAfter + TimeSpan.FromSeconds(10));
        var raised = Assert.Single(await WaitForMailsAsync(_app, gateway.Owner.Email, RaisedSubject, 1));
        Assert.Contains("30 分以上途絶えています", raised.Text);

        await SendAsync(_app, Event(gateway.Id, 2, Now));
        await WaitForMailsAsync(_app, gateway.Owner.Email, ClearedSubject, 1);
        offline = Assert.Single(await AlertsAsync(gateway));
        Assert.Equal(Now, offline.GetProperty("clearedAt").GetDateTimeOffset(), TimeSpan.FromSeconds(5));
        Assert.Single(await MailsToAsync(_app, gateway.Owner.Email), m => m.Subject.StartsWith(RaisedSubject, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_restarted_gateway_and_one_that_sent_a_runaway_seq_still_have_their_alerts_cleared_by_their_next_events()
    {
        var gateway = await CreateOwnedAsync(_app);
        var start = Now.AddMinutes(-30);

        await SendAsync(_app, Event(gateway.Id, 1000, start, FaultyUnits("E101")));
        await SendAsync(_app, Event(gateway.Id, 1, start.AddMinutes(1)));
        await SendAsync(_app, Event(gateway.Id, long.MaxValue - 1, start.AddMinutes(2), FaultyUnits("E203")));
        await SendAsync(_app, Event(gateway.Id, 2, start.AddMinutes(3)));

        var alerts = await AlertsAsync(gateway);
        Assert.Equal(
            [("E203", start.AddMinutes(2), (DateTimeOffset?)start.AddMinutes(3)), ("E101", start, start.AddMinutes(1))],
            alerts.Select(a => (a.GetProperty("code").GetString(), a.GetProperty("raisedAt").GetDateTimeOffset(), a.GetProperty("clearedAt").ValueKind == JsonValueKind.Null ? (DateTimeOffset?)null : a.GetProperty("clearedAt").GetDateTimeOffset())));
        await WaitForMailsAsync(_app, gateway.Owner.Email, ClearedSubject, 2);
    }

    [Fact]
    public async Task Replayed_alert_mails_keep_their_ids_so_the_outbox_sends_each_once()
    {
        var mailer = _app.Services.GetRequiredService<AlertMailer>();
        var transition = new AlertTransition("GW00009005PV", new AlertCondition(1, "E411"), Now, null);
        var recipient = new AlertRecipient("owner@example.jp", English: false, "御室 花子");

        var first = mailer.Compose(transition, recipient);
        var again = mailer.Compose(transition, recipient);
        var recovery = mailer.Compose(transition with { ClearedAt = Now.AddMinutes(3) }, recipient);
        var otherRecipient = mailer.Compose(transition, recipient with { Email = "dealer-staff@example.jp" });

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(3, new[] { first.Id, recovery.Id, otherRecipient.Id }.Distinct().Count());
        Assert.Contains("内部温度異常", first.Text);
    }
}
