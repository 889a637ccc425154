using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using KpNet.Accounts;
using KpNet.Tests.Accounts;
using KpNet.Tests.Accounts.Recovery;
using KpNet.Tests.Gateways;
using KpNet.Tests.Monitoring;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>
/// The manuals' walkthrough (§2-§4) in headless Chromium against the real app: gateway management, maintenance links,
/// the dealer site and the monitoring site.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ManagementScreensTests(PortalSite site) : IAsyncLifetime
{
    private const string CustomerPassword = "Hanako2026";
    private const string SiteName = "御室 英語確認発電所";
    private static readonly string[] SiteAddress = ["京都府", "京都市右京区", "花園1-2"];

    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_customer_adds_a_gateway_links_a_dealer_who_sees_and_monitors_it_until_it_is_unlinked()
    {
        var app = site.App;
        var firstGateway = await MonitoredGateways.ImportAsync(app);
        var secondGateway = await MonitoredGateways.ImportAsync(app);
        await MonitoredGateways.SendAsync(app, MonitoredGateways.Event(secondGateway, 1, DateTimeOffset.UtcNow, batterySoc: 78.5, pvW: 3210));
        var email = TestAccounts.UniqueEmail("walk");
        var page = await site.NewPageAsync();
        var cspViolations = page.WatchCsp();

        await page.GotoAsync("/terms");
        await page.ClickButtonAsync("同意する");
        await page.FillAsync(AccountScreensTests.ValidForm(email, firstGateway));
        await page.ClickButtonAsync("次に進む");
        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録完了");
        var mail = (await DevMail.WaitForAsync(app, email, AccountScreensTests.ProvisionalSubject)).Single();
        await page.GotoAsync("/activate#" + Uri.EscapeDataString(DevMail.LinkToken(mail, "activate")));
        await page.ClickButtonAsync("同意する");
        await page.FillAsync(new Dictionary<string, string> { ["password"] = CustomerPassword, ["passwordConfirm"] = CustomerPassword, ["phone"] = "075-344-8160" });
        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("本登録済み");
        await page.LogInAsync(email, CustomerPassword);

        await page.ClickLinkAsync("ゲートウェイの登録");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの登録");
        await Expect(page.Locator(".sample-sheet img")).ToBeVisibleAsync();
        await page.ClickButtonAsync("次に進む");
        await Expect(page.ErrorOf("gateway.id")).ToHaveTextAsync("入力してください。");
        await Expect(page.ErrorOf("site.prefecture")).ToHaveTextAsync("都道府県を選択してください。");
        await PortalSite.ScreenshotAsync(page, "40-gateway-add-errors");
        await page.FillAsync(new Dictionary<string, string>
        {
            ["gateway.id"] = secondGateway.ToLowerInvariant(), ["gateway.password"] = "wrong-password", ["site.name"] = "御室 大阪倉庫",
            ["site.postalCode"] = "541-0055", ["site.prefecture"] = "大阪府", ["site.city"] = "大阪市中央区", ["site.street"] = "船場中央1-4-5",
        });
        await page.ClickButtonAsync("次に進む");
        await Expect(page.ErrorOf("gateway.password")).ToContainTextAsync("ゲートウェイIDまたはゲートウェイパスワードが正しくありません。");
        await page.Field("gateway.password").FillAsync(MonitoredGateways.Password);
        await PortalSite.ScreenshotAsync(page, "41-gateway-add-form");
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの登録確認");
        var confirmation = page.Locator("main");
        await Expect(confirmation).ToContainTextAsync(secondGateway);
        await Expect(confirmation).ToContainTextAsync("GW-M001");
        await Expect(confirmation).ToContainTextAsync("S" + secondGateway);
        await Expect(confirmation).ToContainTextAsync("KPV-A55-J4");
        await Expect(confirmation).Not.ToContainTextAsync("未接続");
        await Expect(confirmation).ToContainTextAsync("大阪府大阪市中央区船場中央1-4-5");
        await PortalSite.ScreenshotAsync(page, "42-gateway-add-confirm");
        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの登録完了");
        await PortalSite.ScreenshotAsync(page, "43-gateway-add-complete");
        await page.ClickLinkAsync("メインメニューへ戻る");

        await page.ClickLinkAsync("ゲートウェイ情報の照会・編集");
        await Expect(page.Locator(".page-range")).ToHaveTextAsync("1 から 2 まで表示 (全 2 件)");
        await Expect(page.Locator(".page-size")).ToHaveTextAsync("10 件表示");
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(2);
        await PortalSite.ScreenshotAsync(page, "44-gateway-list");
        await page.Locator(".search-form summary").ClickAsync();
        await page.FillAsync(new Dictionary<string, string> { ["site"] = "大阪倉庫" });
        await page.ClickButtonAsync("検索");
        await Expect(page.Locator(".page-range")).ToHaveTextAsync("1 から 1 まで表示 (全 1 件)");
        await page.ClickLinkAsync(secondGateway);

        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイ情報の照会・編集");
        await Expect(page.Locator(".warranty")).ToContainTextAsync("10年");
        await page.Field("site.postalCode").FillAsync("54");
        await page.ClickButtonAsync("更新");
        await Expect(page.ErrorOf("site.postalCode")).ToHaveTextAsync("郵便番号は3桁と4桁の数字で入力してください（例：600-8530）。");
        await PortalSite.ScreenshotAsync(page, "45-gateway-edit-error");
        await page.Field("site.postalCode").FillAsync("541-0055");
        await page.Field("site.name").FillAsync("御室 大阪第二倉庫");
        await page.ClickButtonAsync("更新");
        await Expect(page.Locator("[role=status]")).ToHaveTextAsync("案件と設置先住所を更新しました。");
        await PortalSite.ScreenshotAsync(page, "46-gateway-view");

        var dealerEmail = TestAccounts.UniqueEmail("dealer");
        var staffEmail = TestAccounts.UniqueEmail("staff");
        var dealerPhone = TestAccounts.UniquePhone();
        var dealerName = "販売店 " + Guid.NewGuid().ToString("N")[..6];
        var dealerPage = await site.NewPageAsync();
        cspViolations.AddRange(dealerPage.WatchCsp());
        var dealerId = await SignUpDealerAsync(dealerPage, dealerName, dealerEmail, dealerPhone, staffEmail);

        await page.GotoAsync("/menu");
        await page.ClickLinkAsync("保守を任せる販売店様登録");
        await Expect(page.Heading()).ToHaveTextAsync("販売店様に保守を任せるゲートウェイの検索");
        await page.ClickLinkAsync(secondGateway);
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せる販売店様の登録");
        await page.FillAsync(new Dictionary<string, string> { ["dealerId"] = dealerId, ["phone"] = "090-0000-0001" });
        await page.ClickButtonAsync("次に進む");
        await Expect(page.ErrorOf("phone")).Not.ToBeEmptyAsync();
        await page.Field("phone").FillAsync(dealerPhone);
        await PortalSite.ScreenshotAsync(page, "50-dealer-link-form");
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せる販売店様の登録確認");
        await Expect(page.Locator(".notice-warning")).ToContainTextAsync("個人情報");
        await Expect(page.Locator("main")).ToContainTextAsync(dealerName);
        await Expect(page.Locator("main")).ToContainTextAsync("保守を任せている販売店様はありません。");
        await PortalSite.ScreenshotAsync(page, "51-dealer-link-confirm");
        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せる販売店様登録完了");
        await PortalSite.ScreenshotAsync(page, "52-dealer-link-complete");

        await dealerPage.LogInAsync(dealerEmail, CustomerPassword);
        await Expect(dealerPage.Locator(".dealer-id")).ToHaveTextAsync("販売店ID：" + dealerId);
        await PortalSite.ScreenshotAsync(dealerPage, "60-dealer-menu");
        await dealerPage.ClickLinkAsync("保守しているゲートウェイ");
        await Expect(dealerPage.Locator("tbody")).ToContainTextAsync("御室 大阪第二倉庫");
        await PortalSite.ScreenshotAsync(dealerPage, "61-dealer-gateways");
        await dealerPage.Field("q").FillAsync("存在しない案件");
        await dealerPage.ClickButtonAsync("検索");
        await Expect(dealerPage.Locator("tbody")).ToHaveTextAsync("検索条件に一致するゲートウェイはありません。");
        await dealerPage.Field("q").FillAsync(secondGateway[2..8].ToLowerInvariant());
        await dealerPage.ClickButtonAsync("検索");
        await Expect(dealerPage.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(dealerPage.Locator("tbody")).ToContainTextAsync("御室 大阪第二倉庫");
        await dealerPage.Field("q").FillAsync("御室花子");
        await dealerPage.ClickButtonAsync("検索");
        await Expect(dealerPage.Locator("thead th")).ToHaveTextAsync(["ゲートウェイID", "設置先【案件】", "お客様名", "設置先住所", "異常", "最終通信日時"]);
        await Expect(dealerPage.Locator("tbody tr").First.Locator("td").Nth(2)).ToHaveTextAsync("御室 花子");
        await Expect(dealerPage.Locator(".page-range")).ToContainTextAsync("(全 1 件)");
        await PortalSite.ScreenshotAsync(dealerPage, "61b-dealer-gateways-search");
        await dealerPage.ClickLinkAsync(secondGateway);
        await Expect(dealerPage.Heading()).ToHaveTextAsync("保守しているゲートウェイの詳細");
        await Expect(dealerPage.Locator("main")).ToContainTextAsync("御室 花子");
        await Expect(dealerPage.Locator("main")).ToContainTextAsync(email);
        await Expect(dealerPage.Locator("main h2, main dt").GetByText("異常", new() { Exact = true })).ToHaveCountAsync(0);
        await Expect(dealerPage.Locator("main dd", new() { HasTextString = "異常なし" })).ToHaveCountAsync(1);
        await Expect(dealerPage.Locator("main")).ToContainTextAsync("075-344-8160");
        await PortalSite.ScreenshotAsync(dealerPage, "62-dealer-gateway");

        await dealerPage.ClickLinkAsync("モニタリングサイト");
        await Expect(dealerPage.Heading()).ToHaveTextAsync($"モニタリング 御室 大阪第二倉庫（{secondGateway}）");
        await Expect(dealerPage.Locator("[data-flow=pv] .flow-value")).ToHaveTextAsync("3,210 W");
        await Expect(dealerPage.Locator("[data-flow=battery] .flow-soc")).ToContainTextAsync("78.5 %");
        await Expect(dealerPage.Locator("[data-flow=grid] .flow-direction")).ToHaveTextAsync("売電中");
        await Expect(dealerPage.Locator(".chart-box canvas")).ToBeVisibleAsync();
        await PortalSite.ScreenshotAsync(dealerPage, "63-dealer-monitoring");

        await dealerPage.GotoAsync("/dealer/staff-emails");
        await Expect(dealerPage.Field("staffEmails[0]")).ToHaveValueAsync(staffEmail);
        await dealerPage.Field("staffEmails[1]").FillAsync("not-an-address");
        await dealerPage.ClickButtonAsync("更新");
        await Expect(dealerPage.ErrorOf("staffEmails[1]")).ToHaveTextAsync("メールアドレスの形式が正しくありません。");
        var secondStaff = TestAccounts.UniqueEmail("staff2");
        await dealerPage.Field("staffEmails[1]").FillAsync(secondStaff);
        await dealerPage.ClickButtonAsync("更新");
        await Expect(dealerPage.Locator("[role=status]")).ToHaveTextAsync("保守担当者のメールアドレスを更新しました。");
        await Expect(dealerPage.Field("staffEmails[1]")).ToHaveValueAsync(secondStaff);
        await PortalSite.ScreenshotAsync(dealerPage, "64-dealer-staff-emails");

        await page.GotoAsync("/monitoring?id=" + secondGateway);
        await Expect(page.Locator("[data-flow=pv] .flow-value")).ToHaveTextAsync("3,210 W");
        await Expect(page.Locator("[data-flow=home] .flow-value")).ToHaveTextAsync("1,500 W");
        await Expect(page.Locator(".today")).ToContainTextAsync("発電量");
        await Expect(page.Locator(".warranty")).ToContainTextAsync("接続中");
        await MonitoredGateways.SendAsync(app, MonitoredGateways.Event(secondGateway, 2, DateTimeOffset.UtcNow, batterySoc: 80, pvW: 2800));
        await Expect(page.Locator("[data-flow=pv] .flow-value")).ToHaveTextAsync("2,800 W", new() { Timeout = 15_000 });
        await page.ClickButtonAsync("月");
        await Expect(page.Locator(".chart-caption")).ToHaveTextAsync("今月の1日ごとの電力量");
        await page.Field("batteryReservePercent").FillAsync("101");
        await page.ClickButtonAsync("更新");
        await Expect(page.ErrorOf("batteryReservePercent")).Not.ToBeEmptyAsync();
        await page.Field("batteryReservePercent").FillAsync("40");
        await page.Field("operationMode").SelectOptionAsync("backup");
        await page.ClickButtonAsync("更新");
        await Expect(page.Locator(".settings .notice-success")).ToHaveTextAsync("設定を更新しました。ゲートウェイが次に通信した時に反映されます。");
        await Expect(page.Field("batteryReservePercent")).ToHaveValueAsync("40");
        await PortalSite.ScreenshotAsync(page, "70-monitoring");

        await page.GotoAsync("/menu");
        await page.ClickLinkAsync("保守している販売店様解除");
        await page.ClickLinkAsync(secondGateway);
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せている販売店様の解除");
        await PortalSite.ScreenshotAsync(page, "53-dealer-unlink-list");
        await page.ClickLinkAsync(dealerId);
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せている販売店様の解除確認");
        await Expect(page.Locator("main")).ToContainTextAsync(dealerName);
        await PortalSite.ScreenshotAsync(page, "54-dealer-unlink-confirm");
        await page.ClickButtonAsync("解除");
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せている販売店様の解除完了");
        await PortalSite.ScreenshotAsync(page, "55-dealer-unlink-complete");

        await dealerPage.GotoAsync("/dealer/gateways");
        await Expect(dealerPage.Locator("tbody")).ToHaveTextAsync("保守しているゲートウェイはありません。");
        const string linkEnded = "このゲートウェイの保守のご登録はありません。お客様による解除、またはゲートウェイの廃棄により、保守のご登録が終了した可能性があります。";
        await dealerPage.GotoAsync("/monitoring?id=" + secondGateway);
        await Expect(dealerPage.Locator(".notice-error")).ToHaveTextAsync(linkEnded);
        await dealerPage.GotoAsync("/dealer/gateways/view?id=" + secondGateway);
        await Expect(dealerPage.Locator(".notice-error")).ToHaveTextAsync(linkEnded);
        await PortalSite.ScreenshotAsync(dealerPage, "65-dealer-link-ended");
        Assert.Empty(cspViolations);
    }

    [Fact]
    public async Task A_customer_replaces_and_disposes_of_a_gateway_and_the_new_screens_fit_a_375_px_phone()
    {
        var app = site.App;
        var (customer, password) = await TestAccounts.CreateActiveAsync(app, email: TestAccounts.UniqueEmail("phone"));
        var oldGateway = await MonitoredGateways.ImportAsync(app);
        var newGateway = await MonitoredGateways.ImportAsync(app);
        using (var client = await MonitoredGateways.LoggedInClientAsync(app, customer.Email, password))
        {
            using var added = await client.PostAsJsonAsync("/api/gateways", new
            {
                gateway = new { id = oldGateway, password = MonitoredGateways.Password },
                site = new { name = "スマホ確認用の長い案件名 第一発電所 北側区画", postalCode = "600-8530", prefecture = "京都府", city = "京都市下京区", street = "堀川通1-2 ＫＰビル12階" },
            });
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }

        var page = await site.NewPageAsync(width: 375, height: 812);
        var cspViolations = page.WatchCsp();
        await page.LogInAsync(customer.Email, password);
        await AssertFitsAsync(page, "menu");

        foreach (var (path, name) in new[]
        {
            ("/gateways", "gateway-list"), ("/gateways/new", "gateway-add"), ("/gateways/view?id=" + oldGateway, "gateway-view"),
            ("/dealers/link?id=" + oldGateway, "dealer-link"), ("/dealers/unlink?id=" + oldGateway, "dealer-unlink"),
            ("/monitoring?id=" + oldGateway, "monitoring"), ("/audit-log", "audit-log"), ("/privacy", "privacy"), ("/dealer-signup", "dealer-signup-terms"),
        })
        {
            await page.GotoAsync(path);
            await Expect(page.Heading()).Not.ToHaveTextAsync(new Regex("^$|読み込み中"));
            await Expect(page.Locator("main")).Not.ToContainTextAsync("読み込み中");
            await AssertFitsAsync(page, name);
        }

        await page.ClickButtonAsync("同意する");
        await Expect(page.Heading()).ToHaveTextAsync("販売店様 アカウント登録");
        await page.ClickButtonAsync("登録");
        await Expect(page.ErrorOf("staffEmails[0]")).ToHaveTextAsync("入力してください。");
        await AssertFitsAsync(page, "dealer-signup-errors");

        await page.GotoAsync("/menu");
        await page.ClickLinkAsync("ゲートウェイの交換");
        await page.ClickLinkAsync(oldGateway);
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの交換");
        await page.FillAsync(new Dictionary<string, string> { ["gateway.id"] = oldGateway, ["gateway.password"] = MonitoredGateways.Password });
        await page.ClickButtonAsync("次に進む");
        await Expect(page.ErrorOf("gateway.id")).ToHaveTextAsync("交換前と同じゲートウェイIDです。交換後のゲートウェイIDを入力してください。");
        await page.Field("gateway.id").FillAsync(newGateway);
        await AssertFitsAsync(page, "gateway-replace");
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの交換確認");
        await Expect(page.Locator("main")).ToContainTextAsync("S" + newGateway);
        await AssertFitsAsync(page, "gateway-replace-confirm");
        await page.ClickButtonAsync("交換");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの交換完了");
        await Expect(page.Locator("main")).ToContainTextAsync($"ゲートウェイ {oldGateway} を {newGateway} に交換しました。");
        await AssertFitsAsync(page, "gateway-replace-complete");

        await page.GotoAsync("/menu");
        await page.ClickLinkAsync("ゲートウェイの廃棄");
        await Expect(page.Locator("tbody")).ToContainTextAsync(newGateway);
        await Expect(page.Locator("tbody")).Not.ToContainTextAsync(oldGateway);
        await page.ClickLinkAsync(newGateway);
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの廃棄確認");
        await Expect(page.Locator(".notice-error")).ToContainTextAsync("廃棄は取り消せません。");
        await AssertFitsAsync(page, "gateway-dispose-confirm");
        await page.ClickButtonAsync("廃棄");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの廃棄完了");
        await AssertFitsAsync(page, "gateway-dispose-complete");
        await page.ClickLinkAsync("メインメニューへ戻る");
        await page.ClickLinkAsync("ゲートウェイ情報の照会・編集");
        await Expect(page.Locator("tbody")).ToHaveTextAsync("登録されたゲートウェイはありません。");
        Assert.Empty(cspViolations);
    }

    [Fact]
    public async Task The_customer_sees_on_the_audit_log_screen_which_dealer_viewed_which_data_and_when()
    {
        var app = site.App;
        var (customer, password) = await TestAccounts.CreateActiveAsync(app, email: TestAccounts.UniqueEmail("audit"));
        using var client = await MonitoredGateways.LoggedInClientAsync(app, customer.Email, password);
        var gatewayId = await AddGatewayAsync(client);
        var page = await site.NewPageAsync();
        var cspViolations = page.WatchCsp();
        await page.LogInAsync(customer.Email, password);
        await page.ClickLinkAsync("個人情報の閲覧履歴");
        await Expect(page.Heading()).ToHaveTextAsync("個人情報の閲覧履歴");
        await Expect(page.Locator("tbody")).ToHaveTextAsync("販売店様・運営による閲覧の記録はありません。");
        await PortalSite.ScreenshotAsync(page, "56-audit-log-empty");

        var dealerName = "閲覧確認販売店 " + Guid.NewGuid().ToString("N")[..6];
        var (dealer, dealerId, phone) = await GatewayTestClient.SignUpDealerAsync(app, dealerName);
        dealer.Dispose();
        using (var linked = await client.PostAsJsonAsync($"/api/gateways/{gatewayId}/dealers", new { dealerId, phone }))
        {
            Assert.True(linked.IsSuccessStatusCode, await linked.Content.ReadAsStringAsync());
        }

        var dealerPage = await site.NewPageAsync();
        cspViolations.AddRange(dealerPage.WatchCsp());
        await dealerPage.LogInAsync(dealer.Account.Email, TestAccounts.DefaultPassword);
        await dealerPage.ClickLinkAsync("保守しているゲートウェイ");
        await dealerPage.ClickLinkAsync(gatewayId);
        await Expect(dealerPage.Heading()).ToHaveTextAsync("保守しているゲートウェイの詳細");
        await Expect(dealerPage.Locator("main")).ToContainTextAsync(customer.Email);

        var (operatorAccount, operatorPassword) = await TestAccounts.CreateActiveAsync(app, AccountRole.Admin, email: TestAccounts.UniqueEmail("auditop"));
        using (var operatorClient = await MonitoredGateways.LoggedInClientAsync(app, operatorAccount.Email, operatorPassword))
        {
            await GatewayTestClient.GetJsonAsync(operatorClient, "/api/operator/gateways/" + gatewayId);
        }

        await page.ReloadAsync();
        var rows = page.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(page.Locator("main p").First).ToContainTextAsync("販売店様と運営（KP-NET）");
        var viewedAt = (await client.GetFromJsonAsync<JsonElement>("/api/me/audit-log")).EnumerateArray()
            .Select(entry => TimeZoneInfo.ConvertTime(entry.GetProperty("at").GetDateTimeOffset(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo")))
            .Select(at => at.ToString("yyyy/MM/dd HH:mm", CultureInfo.InvariantCulture)).ToList();
        var dealerText = $"{dealerName}（販売店ID：{dealerId}）";
        await Expect(page.Locator("thead th")).ToHaveTextAsync(["閲覧日時", "閲覧・対応した者", "ゲートウェイID", "閲覧された情報・対応"]);
        await Expect(rows.Nth(0).Locator("td")).ToHaveTextAsync([viewedAt[0], "運営 (KP-NET)", gatewayId, "設置先【案件】、設置先住所、氏名、電話番号、メールアドレス"]);
        await Expect(rows.Nth(1).Locator("td")).ToHaveTextAsync([viewedAt[1], dealerText, gatewayId, "設置先【案件】、設置先住所、氏名、フリガナ、電話番号、住所、メールアドレス、法人名・部署名"]);
        await Expect(rows.Nth(2).Locator("td")).ToHaveTextAsync([viewedAt[2], dealerText, gatewayId, "設置先【案件】、設置先住所、氏名"]);
        await PortalSite.ScreenshotAsync(page, "57-audit-log");
        Assert.Empty(cspViolations);
    }

    [Fact]
    public async Task In_English_the_menu_gateway_management_monitoring_and_audit_screens_show_no_Japanese_but_the_users_data()
    {
        var app = site.App;
        var (customer, password) = await TestAccounts.CreateActiveAsync(app, email: TestAccounts.UniqueEmail("english"));
        using var client = await MonitoredGateways.LoggedInClientAsync(app, customer.Email, password);
        var gatewayId = await AddGatewayAsync(client);
        await MonitoredGateways.SendAsync(app, MonitoredGateways.Event(gatewayId, 1, DateTimeOffset.UtcNow, MonitoredGateways.FaultyUnits("E411")));
        const string dealerName = "英語確認販売店";
        var (dealer, dealerId, phone) = await GatewayTestClient.SignUpDealerAsync(app, dealerName);
        using (dealer)
        using (var linked = await client.PostAsJsonAsync($"/api/gateways/{gatewayId}/dealers", new { dealerId, phone }))
        {
            Assert.True(linked.IsSuccessStatusCode, await linked.Content.ReadAsStringAsync());
            await GatewayTestClient.GetJsonAsync(dealer.Client, "/api/dealer/gateways/" + gatewayId);
        }

        string[] data = [customer.Name.Family, customer.Name.Given, customer.Address.Prefecture, customer.Address.City, customer.Address.Street, SiteName, .. SiteAddress, dealerName];
        var page = await site.NewPageAsync();
        var cspViolations = page.WatchCsp();
        await page.LogInInEnglishAsync(customer.Email, password);
        await page.AssertEnglishAsync("menu", data);

        foreach (var (path, name) in new[]
        {
            ("/gateways", "gateway-list"), ("/gateways/view?id=" + gatewayId, "gateway-view"), ("/gateways/new", "gateway-add"),
            ("/gateways/replace", "gateway-replace-pick"), ("/gateways/replace?id=" + gatewayId, "gateway-replace"),
            ("/gateways/dispose", "gateway-dispose-pick"), ("/gateways/dispose?id=" + gatewayId, "gateway-dispose-confirm"),
            ("/dealers/link", "dealer-link-pick"), ("/dealers/link?id=" + gatewayId, "dealer-link"), ("/dealers/unlink?id=" + gatewayId, "dealer-unlink"),
            ("/monitoring", "monitoring-pick"), ("/monitoring?id=" + gatewayId, "monitoring"), ("/audit-log", "audit-log"),
        })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("main")).Not.ToContainTextAsync("Loading");
            if (name == "monitoring")
            {
                await Expect(page.Locator("[data-flow=pv] .flow-value")).ToHaveTextAsync("1,000 W");
                await Expect(page.Locator("main")).ToContainTextAsync("Power conditioner over-temperature");
            }

            await page.AssertEnglishAsync(name, data);
        }

        await page.GotoAsync("/gateways/new");
        await page.ClickButtonAsync("Next");
        await Expect(page.ErrorOf("gateway.id")).Not.ToBeEmptyAsync();
        await page.AssertEnglishAsync("gateway-add-errors", data);
        Assert.Empty(cspViolations);
    }

    private async Task<string> AddGatewayAsync(HttpClient customer)
    {
        var gatewayId = await MonitoredGateways.ImportAsync(site.App);
        using var added = await customer.PostAsJsonAsync("/api/gateways", new
        {
            gateway = new { id = gatewayId, password = MonitoredGateways.Password },
            site = new { name = SiteName, postalCode = "616-8035", prefecture = SiteAddress[0], city = SiteAddress[1], street = SiteAddress[2] },
        });
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        return gatewayId;
    }

    /// <summary>販売店様のご登録 from the entry page through activation; answers the dealer ID the activation shows.</summary>
    private async Task<string> SignUpDealerAsync(IPage page, string name, string email, string phone, string staffEmail)
    {
        await page.GotoAsync("/start");
        await page.ClickLinkAsync("販売店様のご登録");
        await page.ClickButtonAsync("同意する");
        await Expect(page.Heading()).ToHaveTextAsync("販売店様 アカウント登録");
        await page.FillAsync(new Dictionary<string, string>
        {
            ["name"] = name, ["email"] = email, ["emailConfirm"] = email, ["phone"] = phone, ["postalCode"] = "604-0000",
            ["prefecture"] = "京都府", ["city"] = "京都市中京区", ["street"] = "烏丸通1-1", ["staffEmails[0]"] = staffEmail,
        });
        await PortalSite.ScreenshotAsync(page, "47-dealer-signup-form");
        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("販売店様 アカウント登録完了");
        await PortalSite.ScreenshotAsync(page, "48-dealer-signup-complete");

        var mail = (await DevMail.WaitForAsync(site.App, email, AccountScreensTests.ProvisionalSubject)).Single();
        await page.GotoAsync("/activate#" + Uri.EscapeDataString(DevMail.LinkToken(mail, "activate")));
        await page.ClickButtonAsync("同意する");
        await Expect(page.Heading()).ToHaveTextAsync("販売店様 アカウント本登録");
        await page.FillAsync(new Dictionary<string, string> { ["password"] = CustomerPassword, ["passwordConfirm"] = CustomerPassword, ["phone"] = phone });
        await page.ClickButtonAsync("登録");
        await Expect(page.Locator(".dealer-id")).ToContainTextAsync("販売店ID");
        await PortalSite.ScreenshotAsync(page, "49-dealer-activated");
        return Regex.Match(await page.Locator(".dealer-id").InnerTextAsync(), @"\d+").Value;
    }

    private static async Task AssertFitsAsync(IPage page, string name)
    {
        Assert.True(await page.ScrollWidthAsync() <= 375, $"{name} is {await page.ScrollWidthAsync()} px wide");
        Assert.Empty(await page.WordsBrokenAcrossLinesAsync());
        await PortalSite.ScreenshotAsync(page, "375-" + name);
    }
}
