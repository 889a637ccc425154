using KpNet.Accounts;
using KpNet.Accounts.Recovery;
using KpNet.Tests.Accounts;
using KpNet.Tests.Accounts.Recovery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>登録情報の変更 in the browser: registration data, e-mail address through the mailed link, password.</summary>
[Collection(PortalCollection.Name)]
public sealed class ProfileScreensTests(PortalSite site) : IAsyncLifetime
{
    private const string NewPassword = "Arashi2026x";

    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_customer_changes_name_address_and_phone_from_the_header_confirming_with_the_password_and_back_keeps_the_form()
    {
        var oldPhone = TestAccounts.UniquePhone();
        var newPhone = "080" + TestAccounts.UniquePhone()[3..];
        var (account, password) = await TestAccounts.CreateActiveAsync(site.App, phone: oldPhone);
        var page = await site.NewPageAsync(width: 375, height: 812);
        var csp = page.WatchCsp();
        await page.LogInAsync(account.Email, password);

        await page.ClickHeaderLinkAsync("登録情報の変更");
        await Expect(page.Heading()).ToHaveTextAsync("登録情報の変更");
        await Expect(page.Locator("main dl").First).ToContainTextAsync("〒 600-8530");
        await NarrowScreenAsync(page, "99-profile");
        await page.ClickLinkAsync("登録情報（氏名・住所・電話番号）の変更");
        await Expect(page.Heading()).ToHaveTextAsync("登録情報（氏名・住所・電話番号）の変更");
        await Expect(page.Field("name.family")).ToHaveValueAsync("御室");
        await page.FillAsync(new Dictionary<string, string>
        {
            ["name.family"] = "嵐山", ["name.given"] = "楓", ["kana.family"] = "あらしやま", ["kana.given"] = "かえで",
            ["postalCode"] = "６１６８３８５", ["prefecture"] = "京都府", ["city"] = "京都市右京区", ["street"] = "嵯峨天龍寺芒ノ馬場町68",
            ["phone"] = newPhone, ["company.name"] = "嵐山商店（本店）",
        });
        await NarrowScreenAsync(page, "99-profile-edit");
        await page.ClickButtonAsync("次に進む");

        await Expect(page.Heading()).ToHaveTextAsync("変更内容の確認");
        Assert.EndsWith("/profile/edit?step=confirm", page.Url, StringComparison.Ordinal);
        var summary = page.Locator("main dl").First;
        await Expect(summary).ToContainTextAsync("〒 616-8385");
        await Expect(summary).ToContainTextAsync("アラシヤマ カエデ");
        await Expect(summary).ToContainTextAsync($"{newPhone[..3]}-{newPhone[3..7]}-{newPhone[7..]}");
        await Expect(page.Locator("main dl").Nth(1)).ToContainTextAsync("嵐山商店（本店）");
        await NarrowScreenAsync(page, "99-profile-confirm");

        await page.GoBackAsync();
        await Expect(page.Heading()).ToHaveTextAsync("登録情報（氏名・住所・電話番号）の変更");
        await Expect(page.Field("name.family")).ToHaveValueAsync("嵐山");
        await page.ClickButtonAsync("次に進む");
        await page.FillAsync(new Dictionary<string, string> { ["currentPassword"] = "Wrong1Pass" });
        await page.ClickButtonAsync("変更する");
        await Expect(page.ErrorOf("currentPassword")).ToHaveTextAsync("現在のパスワードが正しくありません。変更は行われていません。");
        await PortalSite.ScreenshotAsync(page, "99-profile-wrong-password");
        Assert.Equal("御室", (await FindAsync(account.Email))!.Name.Family);

        await page.FillAsync(new Dictionary<string, string> { ["currentPassword"] = password });
        await page.ClickButtonAsync("変更する");
        await Expect(page.Heading()).ToHaveTextAsync("登録情報の変更完了");
        Assert.EndsWith("/profile/edit?step=done", page.Url, StringComparison.Ordinal);
        await PortalSite.ScreenshotAsync(page, "99-profile-done");
        await page.ClickLinkAsync("メインメニューへ戻る");
        await Expect(page.Locator(".greeting")).ToHaveTextAsync("嵐山商店（本店） 嵐山 楓 様");

        var stored = await FindAsync(account.Email);
        Assert.Equal(new PersonName("アラシヤマ", "カエデ"), stored!.Kana);
        Assert.Equal(new PostalAddress("616-8385", "京都府", "京都市右京区", "嵯峨天龍寺芒ノ馬場町68"), stored.Address);
        Assert.Equal(newPhone, stored.Phone);
        var index = site.App.Services.GetRequiredService<AccountPhoneIndex>();
        Assert.Equal(account.UserId, Assert.Single(await index.FindAsync(newPhone, CancellationToken.None)).UserId);
        Assert.DoesNotContain(await index.FindAsync(oldPhone, CancellationToken.None), entry => entry.UserId == account.UserId);
        Assert.Single(await DevMail.WaitForAsync(site.App, account.Email, "【登録情報変更のお知らせ】遠隔モニタリングサービス"));
        Assert.Empty(csp);
    }

    [Fact]
    public async Task Of_two_tabs_editing_the_data_the_later_to_save_is_told_it_changed_meanwhile_changes_nothing_and_reloads_the_latest()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(site.App, phone: TestAccounts.UniquePhone());
        var first = await site.NewPageAsync();
        var csp = first.WatchCsp();
        await first.LogInAsync(account.Email, password);
        var second = await first.Context.NewPageAsync();
        var secondCsp = second.WatchCsp();

        await first.GotoAsync("/profile/edit");
        await second.GotoAsync("/profile/edit");
        await Expect(first.Field("name.family")).ToHaveValueAsync("御室");
        await Expect(second.Field("name.family")).ToHaveValueAsync("御室");
        await SaveChangesAsync(first, new Dictionary<string, string> { ["street"] = "嵯峨天龍寺芒ノ馬場町68" }, password);
        await Expect(first.Heading()).ToHaveTextAsync("登録情報の変更完了");
        await SaveChangesAsync(second, new Dictionary<string, string> { ["name.family"] = "嵐山" }, password);

        await Expect(second.Locator("[role=alert]")).ToHaveTextAsync(
            "登録情報はこの画面を開いた後にほかの画面で変更されています。変更は行われていません。最新の内容を読み込んでから、もう一度変更してください。");
        await PortalSite.ScreenshotAsync(second, "99-profile-changed-meanwhile");
        var stored = await FindAsync(account.Email);
        Assert.Equal("御室", stored!.Name.Family);
        Assert.Equal("嵯峨天龍寺芒ノ馬場町68", stored.Address.Street);
        await second.ClickButtonAsync("最新の内容を読み込む");
        await Expect(second.Heading()).ToHaveTextAsync("登録情報（氏名・住所・電話番号）の変更");
        await Expect(second.Field("street")).ToHaveValueAsync("嵯峨天龍寺芒ノ馬場町68");
        await Expect(second.Field("name.family")).ToHaveValueAsync("御室");
        await SaveChangesAsync(second, new Dictionary<string, string> { ["name.family"] = "嵐山" }, password);
        await Expect(second.Heading()).ToHaveTextAsync("登録情報の変更完了");
        stored = await FindAsync(account.Email);
        Assert.Equal("嵐山", stored!.Name.Family);
        Assert.Equal("嵯峨天龍寺芒ノ馬場町68", stored.Address.Street);
        Assert.Empty(csp);
        Assert.Empty(secondCsp);
    }

    [Fact]
    public async Task In_English_the_registration_data_and_its_change_show_English_labels_and_messages_and_only_the_customers_data_in_Japanese()
    {
        const string newStreet = "嵯峨天龍寺芒ノ馬場町68";
        var (account, password) = await TestAccounts.CreateActiveAsync(site.App, phone: TestAccounts.UniquePhone());
        string[] data = [account.Name.Family, account.Name.Given, account.Kana!.Family, account.Kana.Given, account.Address.Prefecture, account.Address.City, account.Address.Street, newStreet];
        var page = await site.NewPageAsync();
        var csp = page.WatchCsp();
        await page.LogInInEnglishAsync(account.Email, password);

        await page.ClickHeaderLinkAsync("Change registration data");
        await Expect(page.Heading()).ToHaveTextAsync("Change registration data");
        await Expect(page.Locator("main dl").First).ToContainTextAsync("Postal code600-8530");
        await Expect(page.Locator("main h2").First).ToHaveTextAsync("User information");
        await page.AssertEnglishAsync("profile", data);
        await page.ClickLinkAsync("Change name, address and phone number");
        await Expect(page.Heading()).ToHaveTextAsync("Change name, address and phone number");
        await Expect(page.Field("name.family")).ToHaveValueAsync(account.Name.Family);
        await page.AssertEnglishAsync("profile-edit", data);
        await page.FillAsync(new Dictionary<string, string> { ["street"] = "" });
        await page.ClickButtonAsync("Next");
        await Expect(page.ErrorOf("street")).ToHaveTextAsync("This field is required.");
        await page.AssertEnglishAsync("profile-edit-errors", data);
        await page.FillAsync(new Dictionary<string, string> { ["street"] = newStreet });
        await page.ClickButtonAsync("Next");

        await Expect(page.Heading()).ToHaveTextAsync("Check the changes");
        await Expect(page.Locator("main dl").First).ToContainTextAsync(newStreet);
        await Expect(page.GetByLabel("Current password")).ToBeVisibleAsync();
        await page.AssertEnglishAsync("profile-confirm", data);
        await page.FillAsync(new Dictionary<string, string> { ["currentPassword"] = "Wrong1Pass" });
        await page.ClickButtonAsync("Change");
        await Expect(page.ErrorOf("currentPassword")).ToHaveTextAsync("The current password is incorrect. Nothing was changed.");
        await page.AssertEnglishAsync("profile-wrong-password", data);
        Assert.Equal(account.Address.Street, (await FindAsync(account.Email))!.Address.Street);
        await page.FillAsync(new Dictionary<string, string> { ["currentPassword"] = password });
        await page.ClickButtonAsync("Change");

        await Expect(page.Heading()).ToHaveTextAsync("Registration data changed");
        await Expect(page.Locator("main")).ToContainTextAsync("Your registration data was changed.");
        await Expect(page.Locator("main")).ToContainTextAsync("We have sent a notice of the change to your registered e-mail address.");
        await page.AssertEnglishAsync("profile-done", data);
        Assert.Equal(newStreet, (await FindAsync(account.Email))!.Address.Street);
        Assert.Empty(csp);
    }

    [Fact]
    public async Task A_new_address_asked_for_in_the_menu_counts_once_the_link_mailed_to_it_is_confirmed()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(site.App, phone: TestAccounts.UniquePhone());
        var newEmail = TestAccounts.UniqueEmail("portal-moved");
        var page = await site.NewPageAsync(width: 375, height: 812);
        var csp = page.WatchCsp();
        await page.LogInAsync(account.Email, password);

        await page.ClickLinkAsync("登録情報の変更");
        await page.ClickLinkAsync("メールアドレス（ユーザID）の変更");
        await Expect(page.Heading()).ToHaveTextAsync("メールアドレス（ユーザID）の変更");
        await page.FillAsync(new Dictionary<string, string> { ["email"] = newEmail, ["emailConfirm"] = newEmail, ["currentPassword"] = password });
        await NarrowScreenAsync(page, "99-profile-email");
        await page.ClickButtonAsync("確認メールを送信");
        await Expect(page.Heading()).ToHaveTextAsync("確認メールの送信");
        await Expect(page.Locator("[role=status]")).ToContainTextAsync(newEmail);
        await PortalSite.ScreenshotAsync(page, "99-profile-email-sent");

        var confirmation = (await DevMail.WaitForAsync(site.App, newEmail, "【メールアドレス変更の確認】遠隔モニタリングサービス")).Single();
        Assert.Single(await DevMail.WaitForAsync(site.App, account.Email, "【メールアドレス変更お申し込みのお知らせ】遠隔モニタリングサービス"));
        // The mail links the configured portal (Portal__BaseUrl); this test opens its path on the app under test.
        var link = System.Text.RegularExpressions.Regex.Match(confirmation.Text, @"/email-change#\S+").Value;
        await page.GotoAsync(link);
        await Expect(page.Heading()).ToHaveTextAsync("メールアドレス変更の確定");
        Assert.Equal(account.UserId, (await FindAsync(account.Email))!.UserId);
        await NarrowScreenAsync(page, "99-email-change");
        await page.ClickButtonAsync("変更を確定する");
        await Expect(page.Locator("[role=status]")).ToContainTextAsync(newEmail);
        Assert.EndsWith("/email-change", page.Url, StringComparison.Ordinal);
        await PortalSite.ScreenshotAsync(page, "99-email-change-done");

        await page.GotoAsync("/menu");
        await Expect(page.Heading()).ToHaveTextAsync("ログイン");
        await page.LogInAsync(newEmail, password);
        await page.GotoAsync(link);
        await page.ClickButtonAsync("変更を確定する");
        await Expect(page.Locator("[role=alert]")).ToContainTextAsync("このURLは有効期限が切れているか、すでに使用されています。");
        Assert.Single(await DevMail.WaitForAsync(site.App, account.Email, "【メールアドレス変更完了のお知らせ】遠隔モニタリングサービス"));
        Assert.Empty(csp);
    }

    [Fact]
    public async Task A_new_password_signs_out_the_customers_other_browser_and_keeps_this_one()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(site.App, phone: TestAccounts.UniquePhone());
        var other = await site.NewPageAsync();
        await other.LogInAsync(account.Email, password);
        var page = await site.NewPageAsync(width: 375, height: 812);
        var csp = page.WatchCsp();
        await page.LogInAsync(account.Email, password);

        await page.GotoAsync("/profile");
        await page.ClickLinkAsync("パスワードの変更");
        await Expect(page.Heading()).ToHaveTextAsync("パスワードの変更");
        await page.FillAsync(new Dictionary<string, string> { ["currentPassword"] = password, ["password"] = NewPassword, ["passwordConfirm"] = NewPassword + "x" });
        await page.ClickButtonAsync("変更する");
        await Expect(page.ErrorOf("passwordConfirm")).ToHaveTextAsync("パスワードとパスワード(確認用)が一致しません。");
        await NarrowScreenAsync(page, "99-profile-password");
        await page.FillAsync(new Dictionary<string, string> { ["passwordConfirm"] = NewPassword });
        await page.ClickButtonAsync("変更する");
        await Expect(page.Heading()).ToHaveTextAsync("パスワードの変更完了");
        await PortalSite.ScreenshotAsync(page, "99-profile-password-done");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => Object.values(sessionStorage).filter(v => v.includes('" + NewPassword + "')).length"));

        await page.ClickLinkAsync("メインメニューへ戻る");
        await Expect(page.Heading()).ToHaveTextAsync("メインメニュー");
        await other.GotoAsync("/gateways");
        await Expect(other.Heading()).ToHaveTextAsync("ログイン");
        await other.LogInAsync(account.Email, NewPassword);
        Assert.Single(await DevMail.WaitForAsync(site.App, account.Email, "【パスワード変更完了のお知らせ】遠隔モニタリングサービス"));
        Assert.Empty(csp);
    }

    /// <summary>From the edit form: the changes, 次に進む, the current password, 変更する.</summary>
    private static async Task SaveChangesAsync(IPage page, Dictionary<string, string> changes, string password)
    {
        await page.FillAsync(changes);
        await page.ClickButtonAsync("次に進む");
        await page.FillAsync(new Dictionary<string, string> { ["currentPassword"] = password });
        await page.ClickButtonAsync("変更する");
    }

    private async Task<Account?> FindAsync(string email) =>
        await site.App.Services.GetRequiredService<AccountStore>().FindByEmailAsync(email, CancellationToken.None);

    /// <summary>At 375 px: no sideways scrolling, no word broken across lines; saved and checked by axe.</summary>
    private static async Task NarrowScreenAsync(IPage page, string name)
    {
        Assert.True(await page.ScrollWidthAsync() <= 375, $"{name} is {await page.ScrollWidthAsync()} px wide");
        Assert.Empty(await page.WordsBrokenAcrossLinesAsync());
        await PortalSite.ScreenshotAsync(page, name);
    }
}
