using System.Net.Http.Json;
using KpNet.Tests.Accounts;
using KpNet.Tests.Gateways;
using KpNet.Tests.Monitoring;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>
/// Each step of a multi-step flow is its own history entry: Back returns to the form as filled, Forward to the
/// confirmation, a reload keeps what was typed (never a password), and Back after the completion cannot send it again.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class StepHistoryTests(PortalSite site) : IAsyncLifetime
{
    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Back_from_the_registration_confirmation_returns_to_the_filled_form_and_a_reload_keeps_all_but_the_password()
    {
        var gatewayId = await MonitoredGateways.ImportAsync(site.App);
        var form = AccountScreensTests.ValidForm(TestAccounts.UniqueEmail("history"), gatewayId);
        form["gateway.password"] = MonitoredGateways.Password;
        var page = await site.NewPageAsync();
        await page.GotoAsync("/terms");
        await page.ClickButtonAsync("同意する");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザー アカウント登録");
        await page.FillAsync(form);

        await page.ReloadAsync();
        await Expect(page.Heading()).ToHaveTextAsync("ユーザー アカウント登録");
        await ExpectFilledAsync(page, form, except: "gateway.password");
        await Expect(page.Field("gateway.password")).ToHaveValueAsync("");
        Assert.DoesNotContain(MonitoredGateways.Password, await SessionStorageAsync(page), StringComparison.Ordinal);
        await PortalSite.ScreenshotAsync(page, "95-register-reloaded");

        await page.Field("gateway.password").FillAsync(MonitoredGateways.Password);
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録確認");
        Assert.EndsWith("/register?step=confirm", page.Url, StringComparison.Ordinal);

        await page.GoBackAsync();
        await Expect(page.Heading()).ToHaveTextAsync("ユーザー アカウント登録");
        await ExpectFilledAsync(page, form);
        await page.GoForwardAsync();
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録確認");
        await page.ClickButtonAsync("前に戻る");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザー アカウント登録");
        await ExpectFilledAsync(page, form);
        await page.GoBackAsync();
        await Expect(page.Heading()).ToHaveTextAsync("利用規約");
        await page.GoForwardAsync();
        await ExpectFilledAsync(page, form, except: "gateway.password");

        await page.Field("gateway.password").FillAsync(MonitoredGateways.Password);
        await page.ClickButtonAsync("次に進む");
        await page.ReloadAsync();
        await Expect(page.Heading()).ToHaveTextAsync("ユーザー アカウント登録");
        await ExpectFilledAsync(page, form, except: "gateway.password");

        await page.Field("gateway.password").FillAsync(MonitoredGateways.Password);
        await page.ClickButtonAsync("次に進む");
        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録完了");
        await page.ReloadAsync();
        await Expect(page.Heading()).ToHaveTextAsync("ユーザ様 アカウント登録完了");
        await page.GoBackAsync();
        await Expect(page.Heading()).ToHaveTextAsync("ユーザー アカウント登録");
        await Expect(page.Field("name.family")).ToHaveValueAsync("");
        Assert.DoesNotContain(form["phone"], await SessionStorageAsync(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_and_dealer_flows_give_each_step_its_own_address_and_history_entry()
    {
        var app = site.App;
        var (customer, password) = await TestAccounts.CreateActiveAsync(app, email: TestAccounts.UniqueEmail("steps"));
        using var client = await MonitoredGateways.LoggedInClientAsync(app, customer.Email, password);
        var owned = await MonitoredGateways.ImportAsync(app);
        using (var added = await client.PostAsJsonAsync("/api/gateways", new { gateway = new { id = owned, password = MonitoredGateways.Password }, site = GatewayTestClient.Site }))
        {
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }

        var (dealer, dealerId, dealerPhone) = await GatewayTestClient.SignUpDealerAsync(app, "履歴確認販売店");
        dealer.Dispose();
        var page = await site.NewPageAsync();
        await page.LogInAsync(customer.Email, password);

        var second = await MonitoredGateways.ImportAsync(app);
        var addForm = new Dictionary<string, string>
        {
            ["gateway.id"] = second, ["gateway.password"] = MonitoredGateways.Password, ["site.name"] = "履歴 第二発電所",
            ["site.postalCode"] = "541-0055", ["site.prefecture"] = "大阪府", ["site.city"] = "大阪市中央区", ["site.street"] = "船場中央1-4-5",
        };
        await page.GotoAsync("/gateways/new");
        await page.FillAsync(addForm);
        await page.ReloadAsync();
        await ExpectFilledAsync(page, addForm, except: "gateway.password");
        await page.Field("gateway.password").FillAsync(MonitoredGateways.Password);
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの登録確認");
        await page.GoBackAsync();
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの登録");
        await ExpectFilledAsync(page, addForm);
        await page.ClickButtonAsync("次に進む");
        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの登録完了");
        Assert.EndsWith("/gateways/new?step=done", page.Url, StringComparison.Ordinal);
        await page.GoBackAsync();
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの登録");
        await Expect(page.Field("gateway.id")).ToHaveValueAsync("");

        await page.GotoAsync("/dealers/link?id=" + owned);
        await page.FillAsync(new Dictionary<string, string> { ["dealerId"] = dealerId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["phone"] = dealerPhone });
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せる販売店様の登録確認");
        await page.GoBackAsync();
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せる販売店様の登録");
        await Expect(page.Field("phone")).ToHaveValueAsync(dealerPhone);
        await page.ClickButtonAsync("次に進む");
        await page.ClickButtonAsync("登録");
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せる販売店様登録完了");

        await page.GotoAsync("/dealers/unlink?id=" + owned);
        await page.ClickLinkAsync(dealerId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せている販売店様の解除確認");
        await page.GoBackAsync();
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せている販売店様の解除");
        await page.GoForwardAsync();
        await page.ClickButtonAsync("解除");
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せている販売店様の解除完了");
        await page.ReloadAsync();
        await Expect(page.Heading()).ToHaveTextAsync("保守を任せている販売店様の解除完了");

        var replacement = await MonitoredGateways.ImportAsync(app);
        await page.GotoAsync("/gateways/replace?id=" + second);
        await page.FillAsync(new Dictionary<string, string> { ["gateway.id"] = replacement, ["gateway.password"] = MonitoredGateways.Password });
        await page.ClickButtonAsync("次に進む");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの交換確認");
        await page.GoBackAsync();
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの交換");
        await Expect(page.Field("gateway.id")).ToHaveValueAsync(replacement);
        await page.ClickButtonAsync("次に進む");
        await page.ClickButtonAsync("交換");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの交換完了");
        await page.ReloadAsync();
        await Expect(page.Locator("main")).ToContainTextAsync($"ゲートウェイ {second} を {replacement} に交換しました。");

        await page.GotoAsync("/gateways/dispose?id=" + replacement);
        await page.ClickButtonAsync("廃棄");
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの廃棄完了");
        Assert.EndsWith($"/gateways/dispose?id={replacement}&step=done", page.Url, StringComparison.Ordinal);
        await page.ReloadAsync();
        await Expect(page.Heading()).ToHaveTextAsync("ゲートウェイの廃棄完了");
        await PortalSite.ScreenshotAsync(page, "95-dispose-done-reloaded");
        Assert.DoesNotContain(MonitoredGateways.Password, await SessionStorageAsync(page), StringComparison.Ordinal);
    }

    private static async Task ExpectFilledAsync(IPage page, Dictionary<string, string> form, string? except = null)
    {
        foreach (var (path, value) in form.Where(entry => entry.Key != except))
        {
            await Expect(page.Field(path)).ToHaveValueAsync(value);
        }
    }

    private static Task<string> SessionStorageAsync(IPage page) => page.EvaluateAsync<string>("() => JSON.stringify(sessionStorage)");
}
