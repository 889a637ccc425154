using System.Net;
using System.Text.Json.Nodes;
using KpNet.Tests.Accounts;
using KpNet.Tests.Registration;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>Finding one's way: the header of every signed-in screen, the title leading to the menu, no login form for the signed in.</summary>
[Collection(PortalCollection.Name)]
public sealed class SiteHeaderTests(PortalSite site) : IAsyncLifetime
{
    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Signed_in_every_screen_has_the_menu_monitoring_manuals_and_logout_in_its_header()
    {
        var app = site.App;
        var email = TestAccounts.UniqueEmail("header");
        var body = RegistrationClient.Body(email, await RegistrationClient.ImportGatewayAsync(app));
        body["company"] = new JsonObject { ["name"] = "京都電機株式会社", ["department"] = "設備課" };
        using (var registered = await RegistrationClient.RegisterAsync(app, body))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }

        var token = RegistrationClient.TokenIn((await RegistrationClient.WaitForMailsAsync(app, email))[0]);
        using (var activated = await RegistrationClient.ActivateAsync(app, token))
        {
            Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        }

        var page = await site.NewPageAsync(width: 375, height: 812);
        await page.GotoAsync("/login");
        var nav = page.Locator("header nav");
        await Expect(nav).ToBeHiddenAsync();
        await Expect(page.Locator(".site-title")).ToHaveAttributeAsync("href", "/");
        await page.FillAsync(new Dictionary<string, string> { ["email"] = email, ["password"] = TestAccounts.DefaultPassword });
        await page.ClickButtonAsync("ログイン");

        await Expect(page.Heading()).ToHaveTextAsync("メインメニュー");
        await Expect(page.Locator(".greeting")).ToHaveTextAsync("京都電機株式会社 御室 花子 様");
        await Expect(nav.GetByRole(AriaRole.Listitem)).ToHaveTextAsync(["メインメニュー", "モニタリングサイト", "商品マニュアル", "登録情報の変更", "ログアウト"]);
        await Expect(page.Locator(".site-title")).ToHaveAttributeAsync("href", "/menu");
        await PortalSite.ScreenshotAsync(page, "99-header-menu");

        await page.ClickHeaderLinkAsync("商品マニュアル");
        await Expect(page.Heading()).ToHaveTextAsync("商品マニュアル");
        await PortalSite.ScreenshotAsync(page, "99-manuals");
        await page.ClickHeaderLinkAsync("モニタリングサイト");
        await Expect(page.Heading()).ToHaveTextAsync("モニタリングするゲートウェイの選択");
        await page.GotoAsync("/gateways");
        await Expect(nav).ToBeVisibleAsync();
        await page.Locator(".site-title").ClickAsync();
        await Expect(page.Heading()).ToHaveTextAsync("メインメニュー");

        await page.GotoAsync("/login");
        await Expect(page.Heading()).ToHaveTextAsync("メインメニュー");
        Assert.EndsWith("/menu", page.Url, StringComparison.Ordinal);

        await nav.GetByRole(AriaRole.Button, new() { Name = "ログアウト" }).ClickAsync();
        await Expect(page.Heading()).ToHaveTextAsync("ログイン");
        await Expect(nav).ToBeHiddenAsync();
        await page.GotoAsync("/menu");
        await Expect(page.Heading()).ToHaveTextAsync("ログイン");
    }
}
