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
/// The KPAC-B warranty extension (manual §1-1) on screen: the confirmation warns when 系統連系日 is missing, the owner enters
/// or corrects it later, 適用なし says why, and gateways of other products show no KPAC-B block.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class WarrantyScreensTests(PortalSite site) : IAsyncLifetime
{
    private const string MissingWarning = "系統連系日が未入力です。KPAC-B シリーズは、系統連系日（または受取日）から3か月以内のご登録で保証期間が15年に延長されます。";

    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_KPAC_B_owner_is_warned_without_a_grid_connection_date_enters_it_later_and_reads_why_the_extension_does_not_apply()
    {
        var app = site.App;
        var kpacB = await MonitoredGateways.ImportAsync(app, product: ProductLine.KpacB);
        var page = await site.NewPageAsync();
        await page.GotoAsync("/terms");
        await page.ClickButtonAsync("同意する");
        var email = TestAccounts.UniqueEmail("kpacb");
        var form = AccountScreensTests.ValidForm(email, kpacB);
        await page.FillAsync(form);
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録確認");
        await Expect(page.Locator(".notice-warning")).ToContainTextAsync(MissingWarning);
        await PortalSite.ScreenshotAsync(page, "96-register-confirm-kpacb-no-date");
        await page.ClickButtonAsync("前に戻る");
        await page.Field("gridConnectionDate").FillAsync(Today().AddDays(-10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録確認");
        await Expect(page.Locator(".notice-warning")).ToHaveCountAsync(0);

        var (customer, password) = await TestAccounts.CreateActiveAsync(app, email: TestAccounts.UniqueEmail("kpacb-owner"));
        using var client = await MonitoredGateways.LoggedInClientAsync(app, customer.Email, password);
        var owned = await MonitoredGateways.ImportAsync(app, product: ProductLine.KpacB);
        using (var added = await client.PostAsJsonAsync("/api/gateways",
            new { gateway = new { id = owned, password = AccountScreensTests.GatewayPassword }, site = GatewayTestClient.Site }))
        {
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }

        var multiV2x = await MonitoredGateways.ImportAsync(app);
        using (var added = await client.PostAsJsonAsync("/api/gateways",
            new { gateway = new { id = multiV2x, password = MonitoredGateways.Password }, site = GatewayTestClient.Site }))
        {
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }

        var owner = await site.NewPageAsync();
        await owner.LogInAsync(customer.Email, password);
        await owner.GotoAsync("/gateways/view?id=" + owned);
        var warranty = owner.Locator(".warranty");
        await Expect(warranty).ToContainTextAsync("適用なし");
        await Expect(warranty.Locator(".warranty-reasons")).ToContainTextAsync("系統連系日が未入力のため、ご登録が期限内か確認できません。");
        await Expect(warranty.Locator(".warranty-reasons")).ToContainTextAsync("30日以上通信がありません。保証期間の延長には、継続的なインターネット接続が必要です。");
        await PortalSite.ScreenshotAsync(owner, "96-gateway-view-kpacb-no-date");

        await owner.Field("gridConnectionDate").FillAsync(Today().AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await owner.Locator(".grid-connection").GetByRole(AriaRole.Button, new() { Name = "更新" }).ClickAsync();
        await Expect(owner.ErrorOf("gridConnectionDate")).ToHaveTextAsync("未来の日付は入力できません。");
        await owner.Field("gridConnectionDate").FillAsync(Today().AddMonths(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await owner.Locator(".grid-connection").GetByRole(AriaRole.Button, new() { Name = "更新" }).ClickAsync();
        await Expect(owner.Locator(".grid-connection [role=status]")).ToHaveTextAsync("系統連系日を更新しました。");
        await Expect(warranty).ToContainTextAsync("保証開始日（系統連系日）");
        await Expect(owner.Locator(".warranty-reasons")).Not.ToContainTextAsync("系統連系日が未入力");
        await Expect(owner.Locator(".warranty-reasons")).ToContainTextAsync("30日以上通信がありません。");
        await PortalSite.ScreenshotAsync(owner, "96-gateway-view-kpacb-date-entered");

        await MonitoredGateways.SendAsync(app, MonitoredGateways.Event(owned, 1, DateTimeOffset.UtcNow));
        await owner.ReloadAsync();
        await Expect(owner.Locator(".warranty")).ToContainTextAsync("適用（15年）");
        await Expect(owner.Locator(".warranty-reasons")).ToHaveCountAsync(0);
        await Expect(owner.Field("gridConnectionDate")).ToHaveValueAsync(Today().AddMonths(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

        await owner.GotoAsync("/gateways/view?id=" + multiV2x);
        await Expect(owner.Locator(".warranty")).ToContainTextAsync("保証期間");
        await Expect(owner.Locator(".warranty")).Not.ToContainTextAsync("保証延長");
        await Expect(owner.Locator(".grid-connection")).ToHaveCountAsync(0);
        await PortalSite.ScreenshotAsync(owner, "96-gateway-view-multi-v2x");
    }

    private static DateOnly Today() => JapanTime.DateOf(DateTimeOffset.UtcNow);
}
