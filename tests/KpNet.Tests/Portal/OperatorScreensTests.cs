using System.Text;
using KpNet.Accounts;
using KpNet.Inventory;
using KpNet.Tests.Accounts;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Monitoring;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>The operator console (issue 19) walked in headless Chromium as an operator, on a phone-sized screen too.</summary>
[Collection(PortalCollection.Name)]
public sealed class OperatorScreensTests(PortalSite site) : IAsyncLifetime
{
    private static readonly Encoding ShiftJis = CodePagesEncodingProvider.Instance.GetEncoding(932)!;

    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_operator_checks_and_imports_a_shift_jis_inventory_file_and_looks_up_a_customers_gateway_which_the_customer_sees_was_viewed()
    {
        var app = site.App;
        var (operatorAccount, operatorPassword) = await TestAccounts.CreateActiveAsync(app, AccountRole.Admin);
        var phone = TestAccounts.UniquePhone();
        using var customer = await GatewayTestClient.SignInAsync(app, phone: phone);
        var owned = await GatewayTestClient.AddGatewayAsync(app, customer);
        await MonitoredGateways.SendAsync(app, MonitoredGateways.Event(owned, 1, DateTimeOffset.UtcNow.AddMinutes(-1), batteryTempC: 62),
            MonitoredGateways.Event(owned, 2, DateTimeOffset.UtcNow.AddMinutes(-1), batterySoc: 150));
        // 150 lines after the header, so the import goes in two parts; refused lines in both, the second's numbered as in the file.
        var prefix = "OS" + Guid.NewGuid().ToString("N")[..7].ToUpperInvariant();
        var newId = prefix + "000";
        var lines = new List<string> { InventoryCsv.Header, $"{newId},abcdefghijk12,ＧＷ－Ｍ００１,S{newId},multi-v2x", "不正なID,abcdefghijk12,GW-M001,S1,multi-v2x" };
        lines.AddRange(Enumerable.Range(1, 148).Select(i => $"{prefix}{i:D3},abcdefghijk12,GW-M001,S{prefix}{i:D3},{(i == 137 ? "toaster" : "kpac-b")}"));
        var file = ShiftJis.GetBytes(string.Join("\r\n", lines) + "\r\n");

        var page = await site.NewPageAsync();
        var cspViolations = page.WatchCsp();
        await page.LogInAsync(operatorAccount.Email, operatorPassword);
        await Expect(page.Locator("nav h2").First).ToHaveTextAsync("運営メニュー");
        await page.ClickLinkAsync("ゲートウェイ在庫の取り込み");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイ在庫の取り込み");
        await page.ClickButtonAsync("内容を確認する");
        await Expect(page.ErrorOf("file")).ToHaveTextAsync("入力してください。");
        await page.Field("file").SetInputFilesAsync(new FilePayload { Name = "在庫.csv", MimeType = "text/csv", Buffer = file });
        await page.ClickButtonAsync("内容を確認する");
        await Expect(page.Locator(".inventory-outcome .notice")).ToHaveTextAsync("150 行を確認しました。新規 148 件、登録済み 0 件、取り込めない行 2 件。");
        await Expect(page.Locator(".inventory-outcome tbody tr")).ToHaveTextAsync(["3ゲートウェイIDゲートウェイID「不正なID」は英数字12文字ではありません。", "140製品製品「toaster」は multi-v2x か kpac-b にしてください。"]);
        await PortalSite.ScreenshotAsync(page, "90-operator-inventory-dry-run");
        Assert.Null(await InventoryAsync(newId));
        await page.ClickButtonAsync("取り込む");
        await Expect(page.Locator(".inventory-outcome .notice-success")).ToHaveTextAsync(
            "取り込みました。追加 148 件、登録済み 0 件、取り込めなかった行 2 件。", new LocatorAssertionsToHaveTextOptions { Timeout = 120_000 });
        await Expect(page.Locator(".inventory-outcome tbody tr")).ToHaveTextAsync(["3ゲートウェイIDゲートウェイID「不正なID」は英数字12文字ではありません。", "140製品製品「toaster」は multi-v2x か kpac-b にしてください。"]);
        Assert.Equal("GW-M001", (await InventoryAsync(newId))?.Model);
        await PortalSite.ScreenshotAsync(page, "91-operator-inventory-imported");

        await page.ClickButtonAsync("内容を確認する");
        await Expect(page.Locator(".inventory-outcome .notice")).ToHaveTextAsync("150 行を確認しました。新規 0 件、登録済み 148 件、取り込めない行 2 件。");
        await Expect(page.Locator(".inventory-outcome")).ToContainTextAsync("新しく登録されるゲートウェイはありません。");

        await page.GotoAsync("/menu");
        await page.ClickLinkAsync("ゲートウェイの照会");
        await page.Field("q").FillAsync("S" + newId[2..].ToLowerInvariant() + "-");
        await page.ClickButtonAsync("検索");
        await Expect(page.Locator(".search-results")).ToContainTextAsync("該当するゲートウェイはありません。");
        await page.Field("q").FillAsync("京都 #1");
        await page.ClickButtonAsync("検索");
        await Expect(page.ErrorOf("q")).ToHaveTextAsync("ゲートウェイID、製造番号、メールアドレスまたは電話番号を入力してください。");
        await page.Field("q").FillAsync($"{phone[..3]}-{phone[3..7]}-{phone[7..]}");
        await page.ClickButtonAsync("検索");
        await Expect(page.Locator(".search-results tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator(".search-results tbody tr")).ToContainTextAsync("本登録");
        await Expect(page.Locator(".search-results tbody tr")).ToContainTextAsync("電話番号");
        await PortalSite.ScreenshotAsync(page, "92-operator-lookup");
        await page.ClickLinkAsync(owned);

        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの詳細");
        var detail = page.Locator("main");
        await Expect(detail).ToContainTextAsync(customer.Account.Email);
        await Expect(detail).ToContainTextAsync(phone);
        await Expect(detail).ToContainTextAsync("京都市");
        await Expect(detail).ToContainTextAsync("battery-temp-high");
        await Expect(detail).ToContainTextAsync("OutOfRange");
        await Expect(detail).ToContainTextAsync("アカウントに追加");
        await PortalSite.ScreenshotAsync(page, "93-operator-gateway");
        await page.Field("action").SelectOptionAsync(new SelectOptionValue { Label = "アカウントのロック" });
        await page.ClickButtonAsync("実行する");
        await Expect(page.ErrorOf("reason")).ToHaveTextAsync("入力してください。");
        await page.Field("reason").FillAsync("不正利用の疑い (お客様より連絡)");
        await page.ClickButtonAsync("実行する");
        await Expect(page.Locator(".notice-success")).ToHaveTextAsync("「アカウントのロック」を実行しました。");
        await Expect(detail).ToContainTextAsync("本登録 (ロック中)");
        await PortalSite.ScreenshotAsync(page, "94-operator-support-locked");
        await page.Field("action").SelectOptionAsync(new SelectOptionValue { Label = "アカウントのロック解除" });
        await page.Field("reason").FillAsync("ご本人確認済み");
        await page.ClickButtonAsync("実行する");
        await Expect(page.Locator(".notice-success")).ToHaveTextAsync("「アカウントのロック解除」を実行しました。");

        var customerPage = await site.NewPageAsync();
        cspViolations.AddRange(customerPage.WatchCsp());
        await customerPage.LogInAsync(customer.Account.Email, TestAccounts.DefaultPassword);
        await Expect(customerPage.Locator("main")).Not.ToContainTextAsync("運営メニュー");
        await customerPage.GotoAsync("/audit-log");
        await Expect(customerPage.Locator("tbody tr", new PageLocatorOptions { HasText = "アカウントのロック解除" })).ToHaveCountAsync(1);
        await Expect(customerPage.Locator("tbody tr", new PageLocatorOptions { HasText = "アカウントのロック" })).ToHaveCountAsync(2);
        await Expect(customerPage.Locator("tbody tr", new PageLocatorOptions { HasText = "氏名" })).ToHaveCountAsync(3);
        await Expect(customerPage.Locator("tbody tr")).ToHaveCountAsync(5);
        await Expect(customerPage.Locator("tbody tr", new PageLocatorOptions { HasText = "運営 (KP-NET)" })).ToHaveCountAsync(5);
        await PortalSite.ScreenshotAsync(customerPage, "95-customer-audit-log-operator");
        await customerPage.GotoAsync("/operator/gateways/view?id=" + owned);
        await Expect(customerPage.Locator("[role=alert]")).ToHaveTextAsync("この操作を行う権限がありません。");
        await Expect(customerPage.Locator("main")).Not.ToContainTextAsync(phone);
        Assert.Empty(cspViolations);
    }

    [Fact]
    public async Task An_operator_previews_a_dealers_notice_per_audience_posts_it_and_retires_it()
    {
        var (operatorAccount, operatorPassword) = await TestAccounts.CreateActiveAsync(site.App, AccountRole.Admin);
        var title = "保守点検のお願い " + Guid.NewGuid().ToString("N")[..6];
        var page = await site.NewPageAsync();
        var cspViolations = page.WatchCsp();
        await page.LogInAsync(operatorAccount.Email, operatorPassword);
        await page.ClickLinkAsync("お知らせの管理");
        await Expect(page.Heading()).ToHaveTextAsync("お知らせの管理");

        await page.ClickButtonAsync("掲載する");
        await Expect(page.ErrorOf("title.ja")).ToHaveTextAsync("入力してください。");
        await page.FillAsync(new Dictionary<string, string>
        {
            ["date"] = "2026-12-01", ["audience"] = "dealers", ["title.ja"] = title, ["body.ja"] = "12月の点検について\n詳しくは担当者へ", ["title.en"] = "Maintenance check",
        });
        await page.ClickButtonAsync("プレビュー");
        var preview = page.Locator(".notice-preview .preview-viewer");
        await Expect(preview).ToHaveCountAsync(4);
        await Expect(preview.Nth(0)).ToContainTextAsync("ログイン前の方このお知らせは表示されません。");
        await Expect(preview.Nth(1)).ToContainTextAsync("お客様このお知らせは表示されません。");
        await Expect(preview.Nth(2).Locator(".notice-title").First).ToHaveTextAsync(title);
        await Expect(preview.Nth(2).Locator(".notice-title[lang=en], [lang=en] .notice-title")).ToHaveTextAsync("Maintenance check");
        await Expect(preview.Nth(3).Locator(".notice-body").First).ToHaveTextAsync("12月の点検について\n詳しくは担当者へ");
        await PortalSite.ScreenshotAsync(page, "96-operator-notice-preview");
        await page.ClickButtonAsync("掲載する");

        await Expect(page.Locator(".notice-success")).ToHaveTextAsync("お知らせを掲載しました。");
        var row = page.Locator("tbody tr", new PageLocatorOptions { HasText = title });
        await Expect(row).ToContainTextAsync("販売店様向け");
        await Expect(row).ToContainTextAsync("掲載中");
        await PortalSite.ScreenshotAsync(page, "97-operator-notices");
        await row.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator(".notice-success")).ToHaveTextAsync("お知らせを取り下げました。");
        await Expect(page.Locator("tbody tr", new PageLocatorOptions { HasText = title })).ToContainTextAsync("取り下げ済み");
        await Expect(page.Locator("tbody tr", new PageLocatorOptions { HasText = title }).GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        Assert.Empty(cspViolations);
    }

    [Fact]
    public async Task An_operator_searches_the_audit_log_by_operator_and_downloads_it_as_csv()
    {
        var app = site.App;
        var (operatorAccount, operatorPassword) = await TestAccounts.CreateActiveAsync(app, AccountRole.Admin);
        using var customer = await GatewayTestClient.SignInAsync(app);
        var owned = await GatewayTestClient.AddGatewayAsync(app, customer);
        var page = await site.NewPageAsync();
        var cspViolations = page.WatchCsp();
        await page.LogInAsync(operatorAccount.Email, operatorPassword);
        await page.GotoAsync("/operator/gateways/view?id=" + owned);
        await Expect(page.Locator("main")).ToContainTextAsync(customer.Account.Email);

        await page.GotoAsync("/menu");
        await page.ClickLinkAsync("監査ログの検索");
        await page.ClickButtonAsync("検索");
        await Expect(page.ErrorOf("customer")).ToHaveTextAsync("お客様 (メールアドレスまたはユーザーID)、販売店ID、運営のメールアドレスのいずれか1つを指定してください。");
        await page.FillAsync(new Dictionary<string, string> { ["operator"] = operatorAccount.Email, ["from"] = "2026-12-02", ["to"] = "2026-12-01" });
        await page.ClickButtonAsync("検索");
        await Expect(page.ErrorOf("to")).ToHaveTextAsync("終了日は開始日以降の日付にしてください。");
        await page.Field("from").ClearAsync();
        await page.Field("to").ClearAsync();
        await page.ClickButtonAsync("検索");
        var rows = page.Locator(".search-results tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync(customer.Account.UserId);
        await Expect(rows).ToContainTextAsync(owned);
        await Expect(rows).ToContainTextAsync("氏名");
        await PortalSite.ScreenshotAsync(page, "98-operator-audit-search");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickLinkAsync("CSVでダウンロード"));
        Assert.Equal("audit-log.csv", download.SuggestedFilename);
        var csv = await File.ReadAllBytesAsync((await download.PathAsync())!);
        var lines = Encoding.UTF8.GetString(csv.AsSpan(3)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([0xEF, 0xBB, 0xBF], csv[..3]);
        Assert.Equal(2, lines.Length);
        Assert.Contains($",{customer.Account.UserId},{operatorAccount.UserId},,,{owned},", lines[1], StringComparison.Ordinal);
        Assert.Empty(cspViolations);
    }

    [Fact]
    public async Task An_operator_makes_a_customer_an_operator_who_then_sees_the_operator_menu_and_takes_the_role_away_again()
    {
        var app = site.App;
        var (operatorAccount, operatorPassword) = await TestAccounts.CreateActiveAsync(app, AccountRole.Admin);
        var (colleague, colleaguePassword) = await TestAccounts.CreateActiveAsync(app);
        var page = await site.NewPageAsync();
        var cspViolations = page.WatchCsp();
        await page.LogInAsync(operatorAccount.Email, operatorPassword);
        await page.ClickLinkAsync("運営アカウントの管理");
        await page.Field("email").FillAsync(colleague.Email);
        await page.ClickButtonAsync("運営にする");
        await Expect(page.ErrorOf("reason")).ToHaveTextAsync("入力してください。");
        await page.Field("reason").FillAsync("運営チームに異動");
        await page.ClickButtonAsync("運営にする");
        await Expect(page.Locator(".notice-success")).ToHaveTextAsync("運営にしました。");
        await Expect(page.Locator("tbody tr", new PageLocatorOptions { HasText = colleague.Email })).ToContainTextAsync(operatorAccount.UserId);
        await PortalSite.ScreenshotAsync(page, "99-operator-operators");

        var colleaguePage = await site.NewPageAsync();
        cspViolations.AddRange(colleaguePage.WatchCsp());
        await colleaguePage.LogInAsync(colleague.Email, colleaguePassword);
        await Expect(colleaguePage.Locator("#operator-menu-heading")).ToHaveTextAsync("運営メニュー");

        await page.Locator("form").Last.Locator("select").SelectOptionAsync(colleague.UserId);
        await page.Locator("form").Last.Locator("input[name=reason]").FillAsync("異動のため");
        await page.ClickButtonAsync("運営から外す");
        await Expect(page.Locator(".notice-success")).ToHaveTextAsync("運営から外しました。");
        await Expect(page.Locator("tbody tr", new PageLocatorOptions { HasText = colleague.Email })).ToHaveCountAsync(0);
        await colleaguePage.ReloadAsync();
        await Expect(colleaguePage.Heading()).ToHaveTextAsync("メインメニュー");
        await Expect(colleaguePage.Locator("#operator-menu-heading")).ToHaveCountAsync(0);
        Assert.Empty(cspViolations);
    }

    [Fact]
    public async Task An_operator_looks_at_a_poison_message_and_dead_lettered_telemetry_and_marks_them_handled()
    {
        var app = site.App;
        var (operatorAccount, operatorPassword) = await TestAccounts.CreateActiveAsync(app, AccountRole.Admin);
        var stuck = MonitoredGateways.NewGatewayId();
        await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<KpNet.Hosting.StorageAccount>(app.Services)
            .GetQueueClient("telemetry-publisher-revocations-poison").SendMessageAsync(stuck);
        var gateway = await MonitoredGateways.ImportAsync(app);
        await MonitoredGateways.SendAsync(app, MonitoredGateways.Event(gateway, 1, DateTimeOffset.UtcNow.AddMinutes(-1), batterySoc: 170));

        // The ingest endpoint answers once the batch is accepted; the function sets the event aside after that.
        await Eventually.ReturnsAsync(
            () => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<KpNet.Telemetry.TelemetryDeadLetters>(app.Services)
                .RecentOfAsync(gateway, days: 1, max: 1, CancellationToken.None),
            letters => letters.Count == 1,
            what: "the event to be set aside");
        var page = await site.NewPageAsync();
        var cspViolations = page.WatchCsp();
        await page.LogInAsync(operatorAccount.Email, operatorPassword);
        await page.ClickLinkAsync("キューと取り込めなかったデータ");

        var poisonRow = page.Locator("tbody tr", new PageLocatorOptions { HasText = "telemetry-publisher-revocations-poison" });
        await poisonRow.GetByRole(AriaRole.Link).ClickAsync();
        var message = page.Locator("tbody tr", new PageLocatorOptions { HasText = stuck });
        await Expect(message).ToHaveCountAsync(1);
        await Expect(message.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "再送する" })).ToHaveCountAsync(0);
        await PortalSite.ScreenshotAsync(page, "9a-operator-queue-messages");
        await message.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "対応済みにする" }).ClickAsync();
        await Expect(page.Locator(".notice-success")).ToHaveTextAsync("対応済みにしました。");
        await Expect(page.Locator("tbody tr", new PageLocatorOptions { HasText = stuck })).ToHaveCountAsync(0);

        await page.Locator("tbody tr", new PageLocatorOptions { HasText = "OutOfRange" }).GetByRole(AriaRole.Link).ClickAsync();
        var letter = page.Locator("tbody tr", new PageLocatorOptions { HasText = gateway });
        await Expect(letter).ToContainTextAsync("battery.soc");
        await Expect(letter).ToContainTextAsync("\"soc\":170");
        await PortalSite.ScreenshotAsync(page, "9b-operator-dead-letters");
        await letter.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator(".notice-success")).ToHaveTextAsync("対応済みにしました。");
        await Expect(page.Locator("tbody tr", new PageLocatorOptions { HasText = gateway })).ToHaveCountAsync(0);
        Assert.Empty(cspViolations);
    }

    [Fact]
    public async Task The_operator_screens_fit_a_375_px_phone_and_read_in_english()
    {
        var app = site.App;
        var (operatorAccount, operatorPassword) = await TestAccounts.CreateActiveAsync(app, AccountRole.Admin);
        using var customer = await GatewayTestClient.SignInAsync(app);
        var owned = await GatewayTestClient.AddGatewayAsync(app, customer);
        var page = await site.NewPageAsync(width: 375, height: 812);
        var cspViolations = page.WatchCsp();
        await page.LogInAsync(operatorAccount.Email, operatorPassword);

        foreach (var (path, name) in new[] { ("/operator/inventory", "operator-inventory"), ("/operator/gateways", "operator-lookup"), ("/operator/notices", "operator-notices"), ("/operator/audit-log", "operator-audit-log"), ("/operator/operators", "operator-operators"), ("/operator/queues", "operator-queues"), ("/operator/gateways/view?id=" + owned, "operator-gateway") })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("main")).Not.ToContainTextAsync("読み込み中");
            Assert.True(await page.ScrollWidthAsync() <= 375, $"{path} is {await page.ScrollWidthAsync()} px wide");
            await PortalSite.ScreenshotAsync(page, "375-" + name);
        }

        await page.ClickButtonAsync("Switch to English");
        await Expect(page.Heading()).ToHaveTextAsync("Gateway details");
        await Expect(page.Locator("main")).ToContainTextAsync("Registered");
        await page.GotoAsync("/operator/inventory");
        await Expect(page.Heading()).ToHaveTextAsync("Import the gateway inventory");
        await PortalSite.ScreenshotAsync(page, "80-english-operator-inventory");
        Assert.Empty(cspViolations);
    }

    private async Task<InventoryGateway?> InventoryAsync(string id) =>
        await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<GatewayInventory>(site.App.Services)
            .FindAsync(id, CancellationToken.None);
}
