using KpNet.Tests.Accounts;
using KpNet.Tests.Monitoring;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>
/// A confirmation shows what will be saved, formatted once: 〒 and phone numbers with hyphens, フリガナ in katakana; NFKC
/// applies to IDs, digits, e-mail, phone and postal codes, while free text (案件, addresses, company names) stays as typed.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ConfirmationScreensTests(PortalSite site) : IAsyncLifetime
{
    private const string SiteName = "御室邸（自宅・京都）";

    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_registration_confirmation_formats_postal_code_kana_and_phone_and_keeps_free_text_as_typed()
    {
        var gatewayId = await MonitoredGateways.ImportAsync(site.App);
        var email = TestAccounts.UniqueEmail("format");
        var form = AccountScreensTests.ValidForm(email, gatewayId);
        form["gateway.password"] = MonitoredGateways.Password;
        form["kana.family"] = "おむろ";
        form["kana.given"] = "はなこ";
        form["postalCode"] = "〒６０５－００７３";
        form["phone"] = "0753448160";
        form["street"] = "花園１－２ ＫＰハイツ①";
        form["company.name"] = "株式会社ＫＰ（京都）";
        form["site.name"] = SiteName;
        form["site.postalCode"] = "6168035";
        var page = await site.NewPageAsync(width: 375, height: 812);
        await page.GotoAsync("/terms");
        await page.ClickButtonAsync("同意する");
        await page.FillAsync(form);
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録確認");

        var values = page.Locator(".details dd");
        await Expect(values).ToContainTextAsync(["御室 花子", "オムロ ハナコ", email, "〒 605-0073", "京都府京都市下京区花園１－２ ＫＰハイツ①", "075-344-8160"]);
        await Expect(page.Locator("main")).ToContainTextAsync("株式会社ＫＰ（京都）");
        await Expect(page.Locator("main")).ToContainTextAsync(SiteName);
        await Expect(page.Locator("main")).ToContainTextAsync("〒 616-8035");
        await Expect(page.Locator("main")).Not.ToContainTextAsync("〒 〒");
        await PortalSite.ScreenshotAsync(page, "97-register-confirm-formatted");

        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録完了");
    }

    [Fact]
    public async Task A_site_name_with_full_width_punctuation_is_stored_as_typed_and_found_however_it_is_searched_from_a_folded_search_form()
    {
        var app = site.App;
        var (customer, password) = await TestAccounts.CreateActiveAsync(app, email: TestAccounts.UniqueEmail("typed"));
        var gatewayId = await MonitoredGateways.ImportAsync(app);
        var page = await site.NewPageAsync();
        await page.LogInAsync(customer.Email, password);
        await page.GotoAsync("/gateways/new");
        await page.FillAsync(new Dictionary<string, string>
        {
            ["gateway.id"] = "　" + gatewayId.ToLowerInvariant(), ["gateway.password"] = MonitoredGateways.Password, ["site.name"] = SiteName,
            ["site.postalCode"] = "６１６－８０３５", ["site.prefecture"] = "京都府", ["site.city"] = "京都市右京区", ["site.street"] = "花園１－２",
        });
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの登録確認");
        await Expect(page.Locator("main")).ToContainTextAsync("〒 616-8035");
        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの登録完了");

        await page.GotoAsync("/gateways/view?id=" + gatewayId);
        await Expect(page.Field("site.name")).ToHaveValueAsync(SiteName);
        await Expect(page.Field("site.street")).ToHaveValueAsync("花園１－２");
        await Expect(page.Field("site.postalCode")).ToHaveValueAsync("616-8035");

        await page.GotoAsync("/gateways");
        await Expect(page.Locator("tbody")).ToContainTextAsync(gatewayId);
        await Expect(page.Field("site")).ToBeHiddenAsync();
        await page.Locator(".search-form summary").ClickAsync();
        await page.FillAsync(new Dictionary<string, string> { ["site"] = "御室邸(自宅" });
        await page.ClickButtonAsync("検索");
        await Expect(page.Locator("tbody")).ToContainTextAsync(gatewayId);
        await Expect(page.Locator("tbody")).ToContainTextAsync(SiteName);
        await page.FillAsync(new Dictionary<string, string> { ["site"] = "存在しない案件" });
        await page.ClickButtonAsync("検索");
        await Expect(page.Locator("tbody")).ToHaveTextAsync("検索条件に一致するゲートウェイはありません。");
        await PortalSite.ScreenshotAsync(page, "97-gateway-search-no-match");
    }
}
