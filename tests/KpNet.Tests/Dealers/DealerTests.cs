using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Tests.Accounts;
using KpNet.Tests.Registration;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Dealers;

public sealed class DealerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly string[] StaffWithDuplicate = ["a@example.jp", "Ｂ@example.jp", "a@example.jp"];
    private static readonly string[] StaffWithInvalid = ["ok@example.jp", "not-an-address"];
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Signing_up_with_a_registered_address_is_answered_exactly_as_with_a_new_one()
    {
        var (registered, _) = await TestAccounts.CreateActiveAsync(_app);
        var provisional = await TestAccounts.CreateProvisionalAsync(_app);
        var before = DateTimeOffset.UtcNow;

        var answers = new List<(HttpStatusCode Status, string[] Members, DateTimeOffset ExpiresAt)>();
        foreach (var email in new[] { TestAccounts.UniqueEmail("dealer"), registered.Email, provisional.Email })
        {
            using var response = await _app.Client.PostAsJsonAsync("/api/dealers", DealerBody(email, TestAccounts.UniquePhone(), "京都電設"));
            var body = await JsonAsync(response);
            answers.Add((response.StatusCode, body.EnumerateObject().Select(p => p.Name).ToArray(), body.GetProperty("activationExpiresAt").GetDateTimeOffset()));
        }

        Assert.All(answers, a => Assert.Equal(answers[0].Status, a.Status));
        Assert.All(answers, a => Assert.Equal(answers[0].Members, a.Members));
        Assert.All(answers, a => Assert.InRange(a.ExpiresAt, before.AddHours(72).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(72)));
    }

    [Fact]
    public async Task A_dealer_signs_up_activates_with_the_mailed_link_and_is_told_its_numeric_dealer_id()
    {
        var (dealer, dealerId, _) = await SignUpDealerAsync(_app, "京都電設");
        using (dealer)
        {
            Assert.True(dealerId >= 4001);
            var mails = await RegistrationClient.WaitForMailsAsync(_app, dealer.Account.Email, count: 3);
            var notice = Assert.Single(mails, m => RegistrationClient.Subject(m) == "【販売店登録完了のお知らせ】遠隔モニタリングサービス");
            Assert.Contains("販売店ID：" + dealerId, notice.GetProperty("text").GetString());

            using var login = await dealer.Client.PostAsJsonAsync("/api/sessions", new { email = dealer.Account.Email, password = TestAccounts.DefaultPassword });
            var user = (await JsonAsync(login)).GetProperty("user");
            Assert.Equal("dealer", user.GetProperty("role").GetString());
            Assert.Equal(dealerId, user.GetProperty("dealerId").GetInt32());

            using var staff = await dealer.Client.PutAsJsonAsync("/api/dealer/staff-emails", new { staffEmails = StaffWithDuplicate });
            Assert.Equal(HttpStatusCode.OK, staff.StatusCode);
            Assert.Equal(["a@example.jp", "B@example.jp"], (await JsonAsync(staff)).GetProperty("staffEmails").EnumerateArray().Select(e => e.GetString()!).ToArray());
            using var none = await dealer.Client.PutAsJsonAsync("/api/dealer/staff-emails", new { staffEmails = Array.Empty<string>() });
            Assert.Equal(["staffEmails"], RegistrationClient.ErrorPaths(await JsonAsync(none)));
            using var tooMany = await dealer.Client.PutAsJsonAsync("/api/dealer/staff-emails", new { staffEmails = Enumerable.Range(0, 11).Select(i => $"s{i}@example.jp").ToArray() });
            Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
            using var invalid = await dealer.Client.PutAsJsonAsync("/api/dealer/staff-emails", new { staffEmails = StaffWithInvalid });
            Assert.Equal(["staffEmails[1]"], RegistrationClient.ErrorPaths(await JsonAsync(invalid)));
        }
    }

    [Fact]
    public async Task The_sign_up_form_is_checked_field_by_field()
    {
        using var response = await _app.Client.PostAsJsonAsync("/api/dealers", new
        {
            name = "", email = "x@example.jp", emailConfirm = "y@example.jp", phone = "12", postalCode = "1", prefecture = "東京", city = "港区", street = "1",
            staffEmails = Array.Empty<string>(), termsVersion = "2026-01",
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["emailConfirm", "name", "phone", "postalCode", "prefecture", "staffEmails"], RegistrationClient.ErrorPaths(await JsonAsync(response)));
    }

    [Theory]
    [InlineData("name", "京都電設\r\n【重要】パスワード再設定のお願い")]
    [InlineData("name", "京都電設\u202Eトイサ式公")]
    [InlineData("street", "船場中央1-4-5\u0007")]
    public async Task Control_and_bidi_characters_in_the_sign_up_are_refused_under_their_field(string path, string value)
    {
        var email = TestAccounts.UniqueEmail("dealer");
        var body = System.Text.Json.JsonSerializer.SerializeToNode(DealerBody(email, TestAccounts.UniquePhone(), "京都電設"))!;
        body[path] = value;

        using var response = await _app.Client.PostAsJsonAsync("/api/dealers", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await JsonAsync(response);
        Assert.Equal([path], RegistrationClient.ErrorPaths(problem));
        Assert.Equal("使用できない文字が含まれています（改行・タブなどの制御文字や、文字の向きを変える記号は使用できません）。",
            problem.GetProperty("errors").GetProperty(path)[0].GetString());
        Assert.Null(await _app.Services.GetRequiredService<KpNet.Accounts.AccountStore>().FindByEmailAsync(email, CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_activations_get_distinct_consecutive_dealer_ids()
    {
        var dealers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => SignUpDealerAsync(_app)));
        var ids = dealers.Select(d => d.DealerId).Order().ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        foreach (var dealer in dealers)
        {
            dealer.Caller.Dispose();
        }
    }

    [Fact]
    public async Task Signing_up_again_with_a_taken_address_answers_the_same_and_mails_a_notice()
    {
        var (dealer, _, phone) = await SignUpDealerAsync(_app);
        using (dealer)
        {
            using var again = await _app.Client.PostAsJsonAsync("/api/dealers", DealerBody(dealer.Account.Email, phone, "別の販売店"));
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            await Eventually.ReturnsAsync(() => RegistrationClient.MailsToAsync(_app, dealer.Account.Email),
                mails => mails.Any(m => RegistrationClient.Subject(m).StartsWith("【アカウント登録についてのお知らせ】", StringComparison.Ordinal)));
        }
    }
}
