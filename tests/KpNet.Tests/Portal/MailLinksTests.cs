using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KpNet.Notifications;
using KpNet.Tests.Accounts;
using KpNet.Tests.Registration;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Monitoring;
using KpNet.Tests.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>Every link of every kind of mail the app sends opens the screen it promises, signed in or after logging in.</summary>
[Collection(PortalCollection.Name)]
public sealed partial class MailLinksTests(PortalSite site) : IAsyncLifetime
{
    private const string NewPassword = "Kaede2026x";

    /// <summary>The screen each linked portal path shows (its heading), whatever the link's query or token.</summary>
    private static readonly Dictionary<string, Regex> ScreenOf = new()
    {
        ["/activate"] = new("^(利用規約|本登録用URLの再送)$"),
        ["/login"] = new("^ログイン$"),
        ["/password-reset"] = new("^ユーザID・パスワードを忘れた場合$"),
        ["/reset-password"] = new("^新しいパスワードの設定$"),
        ["/audit-log"] = new("^個人情報の閲覧履歴$"),
        ["/dealer/gateways/view"] = new("^保守しているゲートウェイの詳細$"),
        ["/monitoring"] = new("^モニタリング (.+（[0-9A-Z]{12}）|[0-9A-Z]{12})$"),
        ["/email-change"] = new("^メールアドレス変更の確定$"),
    };

    public Task InitializeAsync() => site.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_link_in_every_kind_of_mail_opens_a_real_screen_after_login_when_it_needs_one()
    {
        var app = site.App;
        var customerEmail = TestAccounts.UniqueEmail("links");
        var customerPhone = TestAccounts.UniquePhone();
        var gatewayId = await RegistrationClient.ImportGatewayAsync(app);
        var registration = RegistrationClient.Body(customerEmail, gatewayId);
        registration["phone"] = customerPhone;
        var token = await RegisterAsync(app, registration);
        using (var activated = await RegistrationClient.ActivateAsync(app, token, phone: customerPhone))
        {
            Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        }

        var again = RegistrationClient.Body(customerEmail, await RegistrationClient.ImportGatewayAsync(app));
        again["phone"] = customerPhone;
        await RegisterAsync(app, again, expectMailCount: 3);
        // An address gets at most three requested mails an hour (MailRequestLimits.PerRecipient): recovery mails go to a second customer.
        var recoveryPhone = TestAccounts.UniquePhone();
        var (recovering, _) = await TestAccounts.CreateActiveAsync(app, email: TestAccounts.UniqueEmail("links-recovery"), phone: recoveryPhone);
        await PostAsync(app, "/api/account-ids/recovery", new { name = new { family = recovering.Name.Family, given = recovering.Name.Given }, phone = recoveryPhone });
        await PostAsync(app, "/api/password-resets", new { email = recovering.Email });
        var resetToken = Regex.Match((await MailsAsync(app, recovering.Email, "パスワード再設定")).Single().Text, "/reset-password#([A-Za-z0-9_%-]+)").Groups[1].Value;
        await PostAsync(app, "/api/password-resets/" + Uri.UnescapeDataString(resetToken), new { password = NewPassword, passwordConfirm = NewPassword, phone = recoveryPhone });

        // A change of address mails its link to the new address; a customer of its own, so that no other mail's recipient moves
        // (following the link only opens the screen: the change waits for its button).
        var (moving, _) = await TestAccounts.CreateActiveAsync(app, email: TestAccounts.UniqueEmail("links-moving"), phone: TestAccounts.UniquePhone());
        var movedEmail = TestAccounts.UniqueEmail("links-moved");
        using (var movingCustomer = await MonitoredGateways.LoggedInClientAsync(app, moving.Email, TestAccounts.DefaultPassword))
        {
            using var asked = await movingCustomer.PostAsJsonAsync("/api/me/email-change", new { currentPassword = TestAccounts.DefaultPassword, email = movedEmail, emailConfirm = movedEmail });
            Assert.True(asked.IsSuccessStatusCode, await asked.Content.ReadAsStringAsync());
        }

        var (dealer, dealerId, dealerPhone) = await GatewayTestClient.SignUpDealerAsync(app, "リンク確認販売店");
        using (dealer)
        {
            using var customer = await MonitoredGateways.LoggedInClientAsync(app, customerEmail, TestAccounts.DefaultPassword);
            using var linked = await customer.PostAsJsonAsync($"/api/gateways/{gatewayId}/dealers", new { dealerId, phone = dealerPhone });
            Assert.True(linked.IsSuccessStatusCode, await linked.Content.ReadAsStringAsync());
        }

        var now = DateTimeOffset.UtcNow;
        await MonitoredGateways.SendAsync(app, MonitoredGateways.Event(gatewayId, 1, now.AddMinutes(-2), MonitoredGateways.FaultyUnits("E411")));
        await MonitoredGateways.SendAsync(app, MonitoredGateways.Event(gatewayId, 2, now.AddMinutes(-1)));

        var staffEmail = "staff-" + dealer.Account.Email;
        var passwords = new Dictionary<string, (string Email, string Password)>(StringComparer.OrdinalIgnoreCase)
        {
            [customerEmail] = (customerEmail, TestAccounts.DefaultPassword),
            [recovering.Email] = (recovering.Email, NewPassword),
            [dealer.Account.Email] = (dealer.Account.Email, TestAccounts.DefaultPassword),
            [staffEmail] = (dealer.Account.Email, TestAccounts.DefaultPassword),
            [movedEmail] = (moving.Email, TestAccounts.DefaultPassword),
        };
        var mails = await Eventually.ReturnsAsync(
            async () => (await Accounts.Recovery.DevMail.ListAsync(app)).Where(m => passwords.ContainsKey(m.To)).ToList(),
            found => LinkedKinds.All(kind => found.Any(mail => kind.Subject.IsMatch(mail.Subject))),
            RegistrationClient.MailTimeout, what: "a mail of every kind that carries a link");

        var portal = app.Services.GetRequiredService<MailComposer>().PortalBaseUrl.AbsoluteUri;
        var followed = 0;
        foreach (var mail in mails)
        {
            foreach (var target in Regex.Matches(mail.Text, Regex.Escape(portal) + @"\S*").Select(m => "/" + m.Value[portal.Length..]))
            {
                await FollowAsync(target, passwords[mail.To], $"{mail.Subject} to {mail.To}");
                followed++;
            }
        }

        Assert.True(followed >= LinkedKinds.Count, $"followed {followed} links");
        await FollowAsync("/dealer", passwords[dealer.Account.Email], "a maintenance mail sent before it linked the gateway", "^保守しているゲートウェイ$");
        await FollowAsync("/monitoring#" + gatewayId, passwords[customerEmail], "an alert mail sent before it linked /monitoring?id=", "^モニタリング .+（" + gatewayId + "）$");
    }

    /// <summary>Opens the link in a browser of its own; a screen that asks for a login gets it and must then show the link's screen.</summary>
    private async Task FollowAsync(string target, (string Email, string Password) account, string mail, string? heading = null)
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync(target);
        var path = target.Split('#', '?')[0];
        var expected = heading is null ? ScreenOf.GetValueOrDefault(path) : new Regex(heading);
        Assert.True(expected is not null, $"{mail} links {target}, a screen this test does not know: add it to ScreenOf");
        await Expect(page.Heading()).Not.ToHaveTextAsync(new Regex("^$|読み込み中"));
        if (path != "/login" && await page.Heading().InnerTextAsync() == "ログイン")
        {
            await page.FillAsync(new Dictionary<string, string> { ["email"] = account.Email, ["password"] = account.Password });
            await page.ClickButtonAsync("ログイン");
        }

        await Expect(page.Heading()).ToHaveTextAsync(expected!, new() { Timeout = 15_000 });
        Assert.Equal(target.Split('#')[0], new Uri(page.Url).PathAndQuery);
        await PortalSite.ScreenshotAsync(page, "90-mail-link" + Regex.Replace(target.Split('#')[0], "[^a-z]+", "-"));
        await page.Context.CloseAsync();
    }

    private sealed record LinkedKind(string Kind, Regex Subject);

    /// <summary>Every mail template of the app with a link placeholder, with its Japanese subject as a pattern.</summary>
    private static readonly List<LinkedKind> LinkedKinds = MailTemplateCatalogue.All
        .Where(template => Placeholder().Matches(template.TextJapanese).Any(match => MailTemplate.IsLink(match.Groups[1].Value)))
        .Select(template => new LinkedKind(template.Kind,
            new Regex("^" + string.Join(".+", Placeholder().Split(template.SubjectJapanese).Where((_, index) => index % 2 == 0).Select(Regex.Escape)) + "$")))
        .ToList();

    private static async Task<string> RegisterAsync(TestApp app, JsonObject body, int expectMailCount = 1)
    {
        using var response = await RegistrationClient.RegisterAsync(app, body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var mails = await RegistrationClient.WaitForMailsAsync(app, body["email"]!.GetValue<string>(), expectMailCount);
        return RegistrationClient.TokenIn(mails[0]);
    }

    private static async Task PostAsync(TestApp app, string path, object body)
    {
        using var response = await app.Client.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<List<Accounts.Recovery.DevMail.Mail>> MailsAsync(TestApp app, string to, string subjectPart) =>
        await Eventually.ReturnsAsync(
            async () => (await Accounts.Recovery.DevMail.ListAsync(app)).Where(m => m.To == to && m.Subject.Contains(subjectPart, StringComparison.Ordinal)).ToList(),
            found => found.Count > 0, RegistrationClient.MailTimeout, what: subjectPart + " to " + to);

    [GeneratedRegex(@"\{\{([A-Za-z0-9]+)\}\}")]
    private static partial Regex Placeholder();
}
