using System.Net;
using System.Text.RegularExpressions;
using KpNet.Notifications;
using KpNet.Tests.Registration;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Notifications;

/// <summary>What one user typed, as it reaches another user's mail: shown as typed, never as a link.</summary>
public sealed partial class UserTextInMailTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string LinkedSubject = "【保守を任せる販売店様登録のお知らせ】遠隔モニタリングサービス";
    private const string WordJoiner = "\u2060";

    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Markup_and_web_addresses_in_a_site_name_reach_the_dealers_mail_as_inert_text_in_both_parts()
    {
        const string siteName = "<a href=\"http://evil.example\">evil.example</a>";
        using var customer = await SignInAsync(_app);
        var gatewayId = await AddGatewayAsync(_app, customer,
            new { name = siteName, postalCode = "987-6543", prefecture = "京都府", city = "京都市", street = "123-4-5" });
        var (dealer, dealerId, phone) = await SignUpDealerAsync(_app, "京都電設");
        using var signedIn = dealer;

        using var linked = await LinkAsync(customer, gatewayId, dealerId, phone);
        Assert.Equal(HttpStatusCode.Created, linked.StatusCode);

        var mail = (await Eventually.ReturnsAsync(() => RegistrationClient.MailsToAsync(_app, dealer.Account.Email),
            mails => mails.Any(m => RegistrationClient.Subject(m) == LinkedSubject), what: "the dealer's link notice"))
            .Single(m => RegistrationClient.Subject(m) == LinkedSubject);
        var inert = $"<a href=\"http:/{WordJoiner}/evil{WordJoiner}.example\">evil{WordJoiner}.example</a>";
        var text = mail.GetProperty("text").GetString()!;
        Assert.DoesNotContain("evil.example", text, StringComparison.Ordinal);
        Assert.DoesNotContain("http://evil", text, StringComparison.Ordinal);
        Assert.Contains("設置先【案件】：" + inert, text, StringComparison.Ordinal);

        var html = mail.GetProperty("html").GetString()!;
        Assert.DoesNotContain("evil.example", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://evil", html, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(inert), html, StringComparison.Ordinal);

        var portal = _app.Services.GetRequiredService<MailComposer>().PortalBaseUrl.AbsoluteUri;
        var hrefs = Href().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(hrefs);
        Assert.All(hrefs, href => Assert.StartsWith(portal, href, StringComparison.Ordinal));
    }

    [GeneratedRegex("<a href=\"([^\"]*)\"")]
    private static partial Regex Href();
}
