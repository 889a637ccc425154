using KpNet.Accounts;
using KpNet.Tests.Accounts;
using KpNet.Tests.Accounts.Recovery;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>ユーザIDの確認 when two accounts share the name and phone: each address gets its own ID, and the screen says so.</summary>
[Collection(PortalCollection.Name)]
public sealed class RecoveryScreensTests(PortalSite site) : IAsyncLifetime
{
    private const string Subject = "【ユーザIDのお知らせ】遠隔モニタリングサービス";

    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_forgotten_id_shared_by_two_accounts_reaches_each_address_with_its_own_id()
    {
        var phone = TestAccounts.UniquePhone();
        var (first, _) = await TestAccounts.CreateActiveAsync(site.App, phone: phone, name: new PersonName("桂", "一郎"));
        var (second, _) = await TestAccounts.CreateActiveAsync(site.App, phone: phone, name: new PersonName("桂", "一郎"));
        var page = await site.NewPageAsync();
        await page.GotoAsync("/forgot-id");
        await page.FillAsync(new Dictionary<string, string> { ["name.family"] = "桂", ["name.given"] = "一郎", ["phone"] = phone });
        await page.ClickButtonAsync("送信");
        await Expect(page.Locator("[role=status]")).ToContainTextAsync("同じ氏名と電話番号のアカウントが複数ある場合は、それぞれのアドレスにそのアカウントのユーザIDをお送りします。");
        await PortalSite.ScreenshotAsync(page, "99-forgot-id-sent");

        foreach (var account in new[] { first, second })
        {
            var mail = (await DevMail.WaitForAsync(site.App, account.Email, Subject)).Single();
            Assert.Contains("ユーザID：" + account.Email, mail.Text, StringComparison.Ordinal);
        }
    }
}
