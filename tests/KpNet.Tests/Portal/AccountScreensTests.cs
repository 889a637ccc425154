using System.Text.RegularExpressions;
using KpNet.Inventory;
using KpNet.Notices;
using KpNet.Tests.Accounts.Recovery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>The manual's walkthrough (§1-2) in headless Chromium against the real app: the portal's registration, activation, login and menu.</summary>
[Collection(PortalCollection.Name)]
public sealed partial class AccountScreensTests(PortalSite site) : IAsyncLifetime
{
    internal const string GatewayPassword = "abcdefghijk12";
    internal const string ProvisionalSubject = "【アカウント仮登録のお知らせ】遠隔モニタリングサービス";

    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_customer_registers_with_the_sheet_activates_from_the_mail_logs_in_and_sees_the_main_menu()
    {
        var gatewayId = await ImportGatewayAsync();
        var email = $"hanako.{Guid.NewGuid():N}@example.jp";
        var noticeTitle = "メンテナンスのお知らせ " + Guid.NewGuid().ToString("N")[..6];
        await site.App.Services.GetRequiredService<NoticeStore>().AddAsync(
            DateOnly.FromDateTime(DateTime.UtcNow), new LocalizedText(noticeTitle, null), new LocalizedText("サーバーのメンテナンスを行います。", null),
            NoticeAudience.All, null, null, "portal-test", CancellationToken.None);
        var page = await site.NewPageAsync();
        var cspViolations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                cspViolations.Add(message.Text);
            }
        };

        await page.GotoAsync("/");
        await Expect(page.Heading()).ToHaveTextAsync("遠隔モニタリングサービス ご登録キャンペーン");
        await PortalSite.ScreenshotAsync(page, "01-campaign");
        await page.ClickLinkAsync("次へ進む");
        await Expect(page.Heading()).ToHaveTextAsync("遠隔モニタリングサービス アカウント登録");
        await PortalSite.ScreenshotAsync(page, "02-start");
        await page.ClickLinkAsync("お客様情報のご登録");
        await Expect(page.Heading()).ToHaveTextAsync("利用規約");
        await Expect(page.Locator(".terms-text")).Not.ToBeEmptyAsync();
        await PortalSite.ScreenshotAsync(page, "03-terms");
        await page.ClickButtonAsync("同意する");

        await Expect(page.Heading()).ToHaveTextAsync("ユーザー アカウント登録");
        await page.FillAsync(ValidForm(email, gatewayId.ToLowerInvariant()));
        await PortalSite.ScreenshotAsync(page, "04-register-form");
        await page.ClickButtonAsync("次に進む");

        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録確認");
        var confirmation = page.Locator("main");
        await Expect(confirmation).ToContainTextAsync("御室 花子");
        await Expect(confirmation).ToContainTextAsync(gatewayId);
        await Expect(confirmation).ToContainTextAsync("KP-GWBT-A");
        await Expect(confirmation).ToContainTextAsync("SN" + gatewayId);
        await Expect(confirmation).ToContainTextAsync("未接続");
        await Expect(confirmation).ToContainTextAsync("パワーコンディショナ構成情報はありません。");
        await Expect(confirmation).ToContainTextAsync("京都府京都市下京区堀川通1-2");
        await PortalSite.ScreenshotAsync(page, "05-register-confirm");
        await page.ClickButtonAsync("登録");

        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録完了");
        await Expect(page.Locator(".expiry")).ToContainTextAsync(new Regex(@"メール本文中のURLの有効期限：\d{4}年\d{1,2}月\d{1,2}日"));
        await PortalSite.ScreenshotAsync(page, "06-register-complete");

        var mail = (await DevMail.WaitForAsync(site.App, email, ProvisionalSubject)).Single();
        await page.GotoAsync("/activate#" + Uri.EscapeDataString(DevMail.LinkToken(mail, "activate")));
        await Expect(page.Heading()).ToHaveTextAsync("利用規約");
        await PortalSite.ScreenshotAsync(page, "07-activate-terms");
        await page.ClickButtonAsync("同意する");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント本登録");
        await Expect(page.Locator(".account-name")).ToContainTextAsync(email);
        await page.FillAsync(new Dictionary<string, string> { ["password"] = "Hanako2026", ["passwordConfirm"] = "Hanako2026", ["phone"] = "075-344-8160" });
        await PortalSite.ScreenshotAsync(page, "08-activate-form");
        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("本登録済み");
        await PortalSite.ScreenshotAsync(page, "09-activated");
        await page.ClickLinkAsync("ログインに戻る");

        await Expect(page.Heading()).ToHaveTextAsync("ログイン");
        await page.FillAsync(new Dictionary<string, string> { ["email"] = email, ["password"] = "Hanako2026" });
        await PortalSite.ScreenshotAsync(page, "10-login");
        await page.ClickButtonAsync("ログイン");

        await Expect(page.Heading()).ToHaveTextAsync("メインメニュー");
        await Expect(page.Locator(".greeting")).ToHaveTextAsync("御室 花子 様");
        await Expect(page.Locator(".notices")).ToContainTextAsync(noticeTitle);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "ゲートウェイ情報の照会・編集" })).ToBeVisibleAsync();
        await PortalSite.ScreenshotAsync(page, "11-main-menu");
        await page.ClickButtonAsync("ログアウト");
        await Expect(page.Heading()).ToHaveTextAsync("ログイン");
        await page.GotoAsync("/menu");
        await Expect(page.Heading()).ToHaveTextAsync("ログイン");
        Assert.Empty(cspViolations);
    }

    [Fact]
    public async Task Each_validation_message_appears_next_to_its_field_from_the_hints_and_from_the_api()
    {
        var gatewayId = await ImportGatewayAsync();
        var page = await site.NewPageAsync();
        await OpenRegistrationFormAsync(page);

        await page.ClickButtonAsync("次に進む");
        await Expect(page.ErrorOf("postalCode")).ToHaveTextAsync("入力してください。");
        await Expect(page.ErrorOf("site.name")).ToHaveTextAsync("入力してください。");
        await Expect(page.ErrorOf("prefecture")).ToHaveTextAsync("都道府県を選択してください。");
        await Expect(page.Field("postalCode")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.ErrorOf("company.name")).ToBeHiddenAsync();
        await PortalSite.ScreenshotAsync(page, "20-register-required");

        var form = ValidForm($"taro.{Guid.NewGuid():N}@example.jp", gatewayId);
        form["postalCode"] = "600-853";
        form["kana.given"] = "taro";
        form["phone"] = "12345";
        await page.FillAsync(form);
        await page.ClickButtonAsync("次に進む");
        await Expect(page.ErrorOf("postalCode")).ToHaveTextAsync("郵便番号は3桁と4桁の数字で入力してください（例：600-8530）。");
        await Expect(page.ErrorOf("kana.given")).ToHaveTextAsync("全角カタカナで入力してください。");
        await Expect(page.ErrorOf("phone")).ToHaveTextAsync("電話番号の形式が正しくありません（例：075-344-8160、090-1234-5678）。");
        await Expect(page.ErrorOf("email")).ToBeHiddenAsync();
        var describedBy = await page.Field("postalCode").GetAttributeAsync("aria-describedby");
        Assert.Contains(await page.ErrorOf("postalCode").GetAttributeAsync("id"), describedBy!.Split(' '));

        form = ValidForm($"taro.{Guid.NewGuid():N}@example.jp", gatewayId);
        form["gateway.password"] = "wrong-password";
        form["name.family"] = "御室1";
        await page.FillAsync(form);
        await page.ClickButtonAsync("次に進む");
        const string credentialsWrong = "ゲートウェイIDまたはゲートウェイパスワードが正しくありません。「ご登録にあたって」に記載された文字列を入力してください。";
        await Expect(page.ErrorOf("gateway.password")).ToHaveTextAsync(credentialsWrong);
        await Expect(page.ErrorOf("gateway.id")).ToHaveTextAsync(credentialsWrong);
        await Expect(page.ErrorOf("postalCode")).ToBeHiddenAsync();
        await PortalSite.ScreenshotAsync(page, "21-register-gateway-refused");

        await page.Field("gateway.password").FillAsync(GatewayPassword);
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録確認");
        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザー アカウント登録");
        await Expect(page.ErrorOf("name.family")).ToHaveTextAsync("全角の文字で入力してください（数字・記号・空白は使用できません）。");
        await Expect(page.Field("name.family")).ToHaveValueAsync("御室1");
        await Expect(page.Locator(".form-summary")).ToContainTextAsync("入力内容に誤りがあります。");
        await PortalSite.ScreenshotAsync(page, "22-register-api-errors");
    }

    [Fact]
    public async Task A_control_or_bidi_character_is_shown_under_its_field_before_anything_is_sent()
    {
        const string charactersNotAllowed = "使用できない文字が含まれています（改行・タブなどの制御文字や、文字の向きを変える記号は使用できません）。";
        var page = await site.NewPageAsync();
        var apiCalls = new List<string>();
        page.Request += (_, request) => apiCalls.Add(request.Method + " " + new Uri(request.Url).AbsolutePath);
        await OpenRegistrationFormAsync(page);

        var form = ValidForm($"bidi.{Guid.NewGuid():N}@example.jp", await ImportGatewayAsync());
        form["site.name"] = "京都\u202E所電発";
        form["company.name"] = "XX\t株式会社";
        await page.FillAsync(form);
        await page.ClickButtonAsync("次に進む");

        await Expect(page.ErrorOf("site.name")).ToHaveTextAsync(charactersNotAllowed);
        await Expect(page.ErrorOf("company.name")).ToHaveTextAsync(charactersNotAllowed);
        await Expect(page.Field("site.name")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.ErrorOf("street")).ToBeHiddenAsync();
        Assert.DoesNotContain("POST /api/gateways/verify", apiCalls);
        await PortalSite.ScreenshotAsync(page, "23-register-characters");
    }

    [Fact]
    public async Task The_English_switch_changes_the_labels_and_the_api_messages_and_is_remembered()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login");
        await Expect(page.Heading()).ToHaveTextAsync("ログイン");
        await page.ClickButtonAsync("Switch to English");
        await Expect(page.Heading()).ToHaveTextAsync("Login");
        await Expect(page.GetByLabel("User ID")).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        await page.ReloadAsync();
        await Expect(page.Heading()).ToHaveTextAsync("Login");
        await page.FillAsync(new Dictionary<string, string> { ["email"] = $"nobody.{Guid.NewGuid():N}@example.jp", ["password"] = "Wrong12345" });
        await page.ClickButtonAsync("Log in");
        await Expect(page.Locator(".form-summary")).ToHaveTextAsync("The user ID or password is incorrect.");
        await PortalSite.ScreenshotAsync(page, "30-login-english");

        await page.ClickButtonAsync("日本語に切り替える");
        await Expect(page.Heading()).ToHaveTextAsync("ログイン");
    }

    [Fact]
    public async Task Every_screen_fits_a_375_px_phone_without_horizontal_scrolling()
    {
        var page = await site.NewPageAsync(width: 375, height: 812);
        var screens = new (string Path, string Name)[]
        {
            ("/", "campaign"), ("/start", "start"), ("/terms", "terms"), ("/login", "login"), ("/password-reset", "password-reset"),
            ("/forgot-id", "forgot-id"), ("/activate", "activation-link-request"), ("/reset-password#unknown", "reset-password"),
            ("/activate#unknown-token", "activation-unknown"),
        };
        foreach (var (path, name) in screens)
        {
            await page.GotoAsync(path);
            await Expect(page.Heading()).Not.ToHaveTextAsync(new Regex("^$|読み込み中"));
            Assert.True(await page.ScrollWidthAsync() <= 375, $"{path} is {await page.ScrollWidthAsync()} px wide");
            Assert.Empty(await page.WordsBrokenAcrossLinesAsync());
            await PortalSite.ScreenshotAsync(page, "375-" + name);
        }

        await OpenRegistrationFormAsync(page);
        await page.ClickButtonAsync("次に進む");
        await Expect(page.ErrorOf("postalCode")).ToBeVisibleAsync();
        Assert.True(await page.ScrollWidthAsync() <= 375, $"the registration form is {await page.ScrollWidthAsync()} px wide");
        await PortalSite.ScreenshotAsync(page, "375-register-errors");

        await page.FillAsync(ValidForm($"phone.{Guid.NewGuid():N}@example.jp", await ImportGatewayAsync()));
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録確認");
        Assert.True(await page.ScrollWidthAsync() <= 375, $"the confirmation is {await page.ScrollWidthAsync()} px wide");
        Assert.Empty(await page.WordsBrokenAcrossLinesAsync());
        await PortalSite.ScreenshotAsync(page, "375-register-confirm");
    }

    private static async Task OpenRegistrationFormAsync(IPage page)
    {
        await page.GotoAsync("/terms");
        await page.ClickButtonAsync("同意する");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザー アカウント登録");
    }

    private async Task<string> ImportGatewayAsync()
    {
        var id = "PT" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        await site.App.Services.GetRequiredService<GatewayInventory>().ImportAsync(
            [new InventoryRow(id, GatewayPassword, "KP-GWBT-A", "SN" + id, ProductLine.MultiV2x)], CancellationToken.None);
        return id;
    }

    internal static Dictionary<string, string> ValidForm(string email, string gatewayId) => new()
    {
        ["name.family"] = "御室",
        ["name.given"] = "花子",
        ["kana.family"] = "オムロ",
        ["kana.given"] = "ハナコ",
        ["email"] = email,
        ["emailConfirm"] = email,
        ["postalCode"] = "６００－８５３０",
        ["prefecture"] = "京都府",
        ["city"] = "京都市下京区",
        ["street"] = "堀川通1-2",
        ["phone"] = "075-344-8160",
        ["gateway.id"] = gatewayId,
        ["gateway.password"] = GatewayPassword,
        ["site.name"] = "XX株式会社 京都発電所",
        ["site.postalCode"] = "987-6543",
        ["site.prefecture"] = "京都府",
        ["site.city"] = "京都市",
        ["site.street"] = "123-4-5",
    };
}
