using KpNet.Tests.Accounts;
using KpNet.Tests.Accounts.Recovery;
using KpNet.Tests.Monitoring;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>運営's contact (settings Support__Name, Support__Phone, Support__Hours) wherever the user is sent to ask: footer, "already registered", mails.</summary>
[Collection(PortalCollection.Name)]
public sealed class SupportContactTests(PortalSite site) : IAsyncLifetime
{
    private const string ContactLine = "お問い合わせ：KP-NET サポートセンター 電話 0120-000-000（平日 9:00〜17:00）";

    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_footer_the_already_registered_message_and_every_mail_say_whom_to_call()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login");
        await Expect(page.Locator("footer .support-contact")).ToHaveTextAsync("お問い合わせ： KP-NET サポートセンター 0120-000-000（平日 9:00〜17:00）");

        var taken = await MonitoredGateways.CreateOwnedAsync(site.App);
        taken.OwnerClient.Dispose();
        var email = TestAccounts.UniqueEmail("support");
        var form = AccountScreensTests.ValidForm(email, taken.Id);
        form["gateway.password"] = MonitoredGateways.Password;
        await page.GotoAsync("/terms");
        await page.ClickButtonAsync("同意する");
        await page.FillAsync(form);
        await page.ClickButtonAsync("次に進む");
        await Expect(page.ErrorOf("gateway.id")).ToContainTextAsync("このゲートウェイはすでに登録されています。");
        await Expect(page.ErrorOf("gateway.id")).ToContainTextAsync(ContactLine);
        await PortalSite.ScreenshotAsync(page, "99-gateway-taken-support");

        await page.Field("gateway.id").FillAsync(await MonitoredGateways.ImportAsync(site.App));
        await page.ClickButtonAsync("次に進む");
        await page.ClickButtonAsync("登録");
        var mail = (await DevMail.WaitForAsync(site.App, email, AccountScreensTests.ProvisionalSubject)).Single();
        Assert.Contains(ContactLine + "\n遠隔モニタリングサービス", mail.Text, StringComparison.Ordinal);
    }
}
