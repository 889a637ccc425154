using System.Globalization;
using System.Net.Http.Json;
using KpNet.Inventory;
using KpNet.Tests.Accounts;
using KpNet.Tests.Gateways;
using KpNet.Tests.Monitoring;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>
/// モニタリングサイト: only the blocks the system has (EV cards, the EV's energy series and the EV charging window with an
/// EV charger), in Japanese.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class MonitoringScreensTests(PortalSite site) : IAsyncLifetime
{
    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_KPAC_B_system_shows_no_EV_blocks_a_V2X_system_does_and_unit_states_are_in_Japanese()
    {
        var app = site.App;
        var (customer, password) = await TestAccounts.CreateActiveAsync(app, email: TestAccounts.UniqueEmail("monitor"));
        using var client = await MonitoredGateways.LoggedInClientAsync(app, customer.Email, password);
        var kpacB = await MonitoredGateways.ImportAsync(app, product: ProductLine.KpacB);
        var v2x = await MonitoredGateways.ImportAsync(app);
        foreach (var id in new[] { kpacB, v2x })
        {
            using var added = await client.PostAsJsonAsync("/api/gateways", new { gateway = new { id, password = MonitoredGateways.Password }, site = GatewayTestClient.Site });
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }

        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        await MonitoredGateways.SendAsync(app, $$"""
            {"v":1,"gatewayId":"{{kpacB}}","seq":1,"ts":"{{now}}","model":"KP-GWBT-A","serial":"S{{kpacB}}","fw":"1.4.2",
             "pv":{"w":0},"battery":{"soc":64,"w":-800,"tempC":25},"grid":{"w":300},"load":{"w":500},
             "units":[{"no":1,"model":"KPAC-B","serial":"U1","status":"run","faults":[]},{"no":2,"model":"KPAC-B","serial":"U2","status":"stop","faults":[]}]}
            """);
        // Two V2X events of one 5-minute bucket: the car charged at 3,000 W, then gave 1,200 W to the home (an older seq of
        // the same second, so the status still shows the charging): 0.125 kWh charged and 0.05 kWh discharged.
        var at = DateTimeOffset.UtcNow;
        await MonitoredGateways.SendAsync(app,
            MonitoredGateways.Event(v2x, 1, at, MonitoredGateways.FaultyUnits("E411")),
            MonitoredGateways.Event(v2x, 0, at, evW: -1200));

        var page = await site.NewPageAsync();
        await page.LogInAsync(customer.Email, password);

        await page.GotoAsync("/monitoring?id=" + kpacB);
        await Expect(page.Heading()).ToHaveTextAsync($"モニタリング XX株式会社 京都発電所（{kpacB}）");
        await Expect(page.Locator("[data-flow=battery] .flow-soc")).ToContainTextAsync("64 %");
        await Expect(page.Locator("[data-flow=ev]")).ToHaveCountAsync(0);
        await Expect(page.Field("evChargeWindow.start")).ToHaveCountAsync(0);
        await Expect(page.Locator(".today")).ToContainTextAsync("放電量");
        await Expect(page.Locator(".today")).Not.ToContainTextAsync("EV");
        await Expect(page.Locator(".charts .chart-data thead")).ToContainTextAsync("放電量 (kWh)");
        await Expect(page.Locator(".charts .chart-data thead")).Not.ToContainTextAsync("EV");
        await Expect(page.Locator(".power-flow tbody td[data-label=状態]")).ToHaveTextAsync(["運転中", "停止"]);
        await PortalSite.ScreenshotAsync(page, "98-monitoring-kpacb");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickButtonAsync("この期間のデータをダウンロード (CSV)"));
        Assert.Matches($"^{kpacB}-day-\\d{{4}}-\\d{{2}}-\\d{{2}}\\.csv$", download.SuggestedFilename);
        var csv = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, csv[..3]);
        var lines = System.Text.Encoding.UTF8.GetString(csv[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("日時,発電量 (kWh),消費電力量 (kWh),買電量 (kWh),売電量 (kWh),充電量 (kWh),放電量 (kWh)", lines[0]);
        Assert.True(lines.Length >= 2, string.Join(" / ", lines));
        Assert.All(lines[1..], line => Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(,[\d.]+){6}$", line));
        await page.Field("batteryReservePercent").FillAsync("35");
        await page.ClickButtonAsync("更新");
        await Expect(page.Locator(".settings .notice-success")).ToHaveTextAsync("設定を更新しました。ゲートウェイが次に通信した時に反映されます。");
        await Expect(page.Locator(".settings-applied")).ToHaveTextAsync("ゲートウェイへの反映待ちです。");

        // The gateway polls its desired settings with its ID and password and reports them applied: the screen follows.
        using var gateway = TestAccounts.NewClient(app);
        using var desired = await gateway.PostAsJsonAsync("/api/gateway-api/settings", new { id = kpacB, password = MonitoredGateways.Password });
        var version = (await desired.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("version").GetInt32();
        using (var applied = await gateway.PostAsJsonAsync("/api/gateway-api/settings/applied", new { id = kpacB, password = MonitoredGateways.Password, version }))
        {
            Assert.True(applied.IsSuccessStatusCode, await applied.Content.ReadAsStringAsync());
        }

        await Expect(page.Locator(".settings-applied")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^ゲートウェイに反映済みです（\d{4}/\d{2}/\d{2} \d{2}:\d{2}）。$"));
        await PortalSite.ScreenshotAsync(page, "98-monitoring-settings-applied");

        await page.GotoAsync("/monitoring?id=" + v2x);
        await Expect(page.Locator("[data-flow=ev] .flow-value")).ToHaveTextAsync("3,000 W");
        await Expect(page.Field("evChargeWindow.start")).ToBeVisibleAsync();
        await Expect(page.Locator(".power-flow tbody td[data-label=状態]")).ToHaveTextAsync(["運転中", "異常"]);
        await Expect(page.Locator(".power-flow")).Not.ToContainTextAsync("fault");

        var chart = page.Locator(".charts");
        await Expect(chart.Locator(".chart-caption")).ToHaveTextAsync("今日の1時間ごとの電力量");
        await chart.Locator(".chart-data summary").ClickAsync();
        await Expect(chart.Locator(".chart-data tbody tr")).ToHaveCountAsync(24);
        await Expect(chart.Locator(".chart-data thead")).ToContainTextAsync("充電量 (kWh)");
        await Expect(chart.Locator(".chart-data thead th")).ToHaveTextAsync(
            ["日時", "発電量 (kWh)", "消費電力量 (kWh)", "買電量 (kWh)", "売電量 (kWh)", "充電量 (kWh)", "放電量 (kWh)", "EV充電量 (kWh)", "EV放電量 (kWh)"]);
        await Expect(page.Locator(".today")).ToContainTextAsync("EV充電量");
        await Expect(page.Locator(".today")).ToContainTextAsync("EV放電量");
        await PortalSite.ScreenshotAsync(page, "98-monitoring-v2x-ev-series");
        var evDownload = await page.RunAndWaitForDownloadAsync(() => page.ClickButtonAsync("この期間のデータをダウンロード (CSV)"));
        var evLines = System.Text.Encoding.UTF8.GetString((await File.ReadAllBytesAsync((await evDownload.PathAsync())!))[3..])
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("日時,発電量 (kWh),消費電力量 (kWh),買電量 (kWh),売電量 (kWh),充電量 (kWh),放電量 (kWh),EV充電量 (kWh),EV放電量 (kWh)", evLines[0]);
        Assert.EndsWith(",0.125,0.05", evLines[^1], StringComparison.Ordinal);
        await Expect(chart.GetByRole(AriaRole.Button, new() { Name = "次の期間" })).ToBeDisabledAsync();
        await chart.GetByRole(AriaRole.Button, new() { Name = "前の期間" }).ClickAsync();
        var yesterday = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).AddDays(-1);
        await Expect(chart.Locator(".chart-caption")).ToHaveTextAsync($"{yesterday.Year}年{yesterday.Month}月{yesterday.Day}日の1時間ごとの電力量");
        await Expect(chart.GetByRole(AriaRole.Button, new() { Name = "次の期間" })).ToBeEnabledAsync();
        await chart.GetByRole(AriaRole.Button, new() { Name = "年" }).ClickAsync();
        await Expect(chart.Locator(".chart-caption")).ToHaveTextAsync("今年の1か月ごとの電力量");
        await Expect(chart.Locator(".chart-data tbody tr")).ToHaveCountAsync(12);
        await PortalSite.ScreenshotAsync(page, "98-monitoring-chart-table");
        await PortalSite.ScreenshotAsync(page, "98-monitoring-v2x");
    }
}
