using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Security;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Accounts.Recovery;

public sealed class PasswordResetTests : IAsyncLifetime
{
    private const string ResetSubject = "【パスワード再設定のお知らせ】遠隔モニタリングサービス";
    private const string ChangedSubject = "【パスワード変更のお知らせ】遠隔モニタリングサービス";
    private const string NewPassword = "N3wPassword";

    private readonly FakeTimeProvider _clock = new();
    private string _storage = "";
    private TestApp _app = null!;
    private HttpClient _client = null!;

    // An account of each test's own: one test moves its clock an hour on, and two wait until every queued mail is handled.
    public async Task InitializeAsync()
    {
        _storage = await AzuriteFixture.LeaseAccountAsync();
        _app = await TestApp.StartAsync(_storage, configure: b => b.Services.AddSingleton<TimeProvider>(_clock));
        _client = TestAccounts.NewClient(_app);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task The_mailed_link_and_the_registered_phone_set_a_new_password_that_ends_every_session()
    {
        var (account, oldPassword) = await TestAccounts.CreateActiveAsync(_app);
        var session = await TestAccounts.LoginAsync(_client, account.Email, oldPassword);

        using var request = await _client.PostAsJsonAsync("/api/password-resets", new { email = account.Email.ToUpperInvariant() });
        var mail = (await DevMail.WaitForAsync(_app, account.Email, ResetSubject)).Single();
        var token = DevMail.LinkToken(mail, "reset-password");
        using var reset = await _client.PostAsJsonAsync($"/api/password-resets/{token}", new { password = NewPassword, passwordConfirm = NewPassword, phone = "０７５－３４４－８１６０" });
        using var oldSession = await GetMeAsync(session);
        using var oldLogin = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password = oldPassword });
        using var newLogin = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password = NewPassword });
        var changed = await DevMail.WaitForAsync(_app, account.Email, ChangedSubject);
        using var reused = await _client.PostAsJsonAsync($"/api/password-resets/{token}", new { password = "An0therPass", passwordConfirm = "An0therPass", phone = TestAccounts.DefaultPhone });

        Assert.Equal(HttpStatusCode.Accepted, request.StatusCode);
        Assert.StartsWith("御室 花子 様", mail.Text, StringComparison.Ordinal);
        Assert.Contains("/reset-password#", mail.Text, StringComparison.Ordinal);
        Assert.True(SecureToken.LooksValid(token));
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldSession.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldLogin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newLogin.StatusCode);
        Assert.Contains("パスワードが変更されました", Assert.Single(changed).Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, reused.StatusCode);
        Assert.Equal("このURLは有効期限が切れているか、すでに使用されています。お手数ですが、もう一度お手続きください。",
            (await reused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_link_is_gone_after_an_hour()
    {
        var (account, _) = await TestAccounts.CreateActiveAsync(_app);
        var token = await RequestLinkAsync(account.Email);

        _clock.Advance(TimeSpan.FromMinutes(61));
        using var reset = await _client.PostAsJsonAsync($"/api/password-resets/{token}", new { password = NewPassword, passwordConfirm = NewPassword, phone = TestAccounts.DefaultPhone });

        Assert.Equal(HttpStatusCode.Gone, reset.StatusCode);
    }

    [Fact]
    public async Task Unknown_and_malformed_links_are_gone()
    {
        using var unknown = await _client.PostAsJsonAsync($"/api/password-resets/{SecureToken.Create()}", new { password = NewPassword, passwordConfirm = NewPassword, phone = TestAccounts.DefaultPhone });
        using var malformed = await _client.PostAsJsonAsync("/api/password-resets/not-a-token", new { password = NewPassword, passwordConfirm = NewPassword, phone = TestAccounts.DefaultPhone });

        Assert.Equal(HttpStatusCode.Gone, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, malformed.StatusCode);
    }

    [Fact]
    public async Task Wrong_phone_weak_password_and_mismatch_are_field_errors_and_leave_the_link_usable()
    {
        var (account, _) = await TestAccounts.CreateActiveAsync(_app);
        var token = await RequestLinkAsync(account.Email);

        var wrongPhone = await FieldErrorsAsync(token, new { password = NewPassword, passwordConfirm = NewPassword, phone = "075-344-8161" });
        var weak = await FieldErrorsAsync(token, new { password = "password1", passwordConfirm = "password1", phone = TestAccounts.DefaultPhone });
        var tooLong = await FieldErrorsAsync(token, new { password = "Abcdefgh12345678x", passwordConfirm = "Abcdefgh12345678x", phone = TestAccounts.DefaultPhone });
        var mismatch = await FieldErrorsAsync(token, new { password = NewPassword, passwordConfirm = NewPassword + "x", phone = TestAccounts.DefaultPhone });
        var english = await FieldErrorsAsync(token, new { password = NewPassword, passwordConfirm = NewPassword, phone = "0000000000" }, "en");
        using var valid = await _client.PostAsJsonAsync($"/api/password-resets/{token}", new { password = NewPassword, passwordConfirm = NewPassword, phone = TestAccounts.DefaultPhone });
        await DevMail.WaitForAsync(_app, account.Email, ChangedSubject);

        Assert.Equal("電話番号がご登録の電話番号と一致しません。", Assert.Single(wrongPhone["phone"]));
        Assert.Equal("パスワードは8文字以上16文字以内かつ、英小文字、英大文字、数字をすべて含んだものをご入力ください。", Assert.Single(weak["password"]));
        Assert.True(tooLong.ContainsKey("password"));
        Assert.Equal("パスワードとパスワード(確認用)が一致しません。", Assert.Single(mismatch["passwordConfirm"]));
        Assert.Equal("The phone number does not match the registered one.", Assert.Single(english["phone"]));
        Assert.Equal(HttpStatusCode.NoContent, valid.StatusCode);
    }

    [Fact]
    public async Task Five_wrong_phone_numbers_burn_the_link()
    {
        var (account, _) = await TestAccounts.CreateActiveAsync(_app);
        var token = await RequestLinkAsync(account.Email);

        for (var i = 0; i < 5; i++)
        {
            Assert.True((await FieldErrorsAsync(token, new { password = NewPassword, passwordConfirm = NewPassword, phone = "0120000000" })).ContainsKey("phone"));
        }

        using var rightPhone = await _client.PostAsJsonAsync($"/api/password-resets/{token}", new { password = NewPassword, passwordConfirm = NewPassword, phone = TestAccounts.DefaultPhone });

        Assert.Equal(HttpStatusCode.Gone, rightPhone.StatusCode);
    }

    [Fact]
    public async Task A_new_request_supersedes_the_earlier_link()
    {
        var (account, _) = await TestAccounts.CreateActiveAsync(_app);

        var first = await RequestLinkAsync(account.Email);
        var second = await RequestLinkAsync(account.Email, expectedMails: 2);
        using var withFirst = await _client.PostAsJsonAsync($"/api/password-resets/{first}", new { password = NewPassword, passwordConfirm = NewPassword, phone = TestAccounts.DefaultPhone });
        using var withSecond = await _client.PostAsJsonAsync($"/api/password-resets/{second}", new { password = NewPassword, passwordConfirm = NewPassword, phone = TestAccounts.DefaultPhone });
        await DevMail.WaitForAsync(_app, account.Email, ChangedSubject);

        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.Gone, withFirst.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, withSecond.StatusCode);
    }

    [Fact]
    public async Task An_unknown_address_gets_the_same_answer_as_a_known_one_and_no_mail()
    {
        var (account, _) = await TestAccounts.CreateActiveAsync(_app);
        var unknown = TestAccounts.UniqueEmail("nobody");
        var provisional = await TestAccounts.CreateProvisionalAsync(_app);

        using var forUnknown = await _client.PostAsJsonAsync("/api/password-resets", new { email = unknown });
        using var forProvisional = await _client.PostAsJsonAsync("/api/password-resets", new { email = provisional.Email });
        using var forKnown = await _client.PostAsJsonAsync("/api/password-resets", new { email = account.Email });
        await DevMail.WaitForAsync(_app, account.Email, ResetSubject);
        await DevMail.AllHandledAsync(_storage);

        Assert.Equal(HttpStatusCode.Accepted, forKnown.StatusCode);
        Assert.Equal(forKnown.StatusCode, forUnknown.StatusCode);
        Assert.Equal(forKnown.StatusCode, forProvisional.StatusCode);
        Assert.Equal(await forKnown.Content.ReadAsStringAsync(), await forUnknown.Content.ReadAsStringAsync());
        Assert.Equal(await forKnown.Content.ReadAsStringAsync(), await forProvisional.Content.ReadAsStringAsync());
        Assert.Equal(forKnown.Content.Headers.ContentType, forUnknown.Content.Headers.ContentType);
        Assert.DoesNotContain(await DevMail.ListAsync(_app), m => m.To == unknown || m.To == provisional.Email);
    }

    [Fact]
    public async Task More_than_three_requests_an_hour_are_answered_alike_but_send_no_more_mail()
    {
        var (account, _) = await TestAccounts.CreateActiveAsync(_app);

        for (var i = 0; i < 5; i++)
        {
            using var response = await _client.PostAsJsonAsync("/api/password-resets", new { email = account.Email });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await DevMail.WaitForAsync(_app, account.Email, ResetSubject, count: MailRequestLimits.PerRecipient.Limit);
        await DevMail.AllHandledAsync(_storage);

        Assert.Equal(3, (await DevMail.ToAsync(_app, account.Email, ResetSubject)).Count);
    }

    [Fact]
    public async Task A_reset_lifts_the_login_lock()
    {
        var (account, _) = await TestAccounts.CreateActiveAsync(_app);
        for (var i = 0; i < 5; i++)
        {
            using var failed = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password = "Wr0ngPassword" });
        }

        using var locked = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password = TestAccounts.DefaultPassword });
        var token = await RequestLinkAsync(account.Email);
        using var reset = await _client.PostAsJsonAsync($"/api/password-resets/{token}", new { password = NewPassword, passwordConfirm = NewPassword, phone = TestAccounts.DefaultPhone });
        using var login = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password = NewPassword });
        await DevMail.WaitForAsync(_app, account.Email, ChangedSubject);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task An_english_account_gets_its_mails_in_english()
    {
        var (account, _) = await TestAccounts.CreateActiveAsync(_app, language: "en");

        using var request = await _client.PostAsJsonAsync("/api/password-resets", new { email = account.Email });
        var mail = (await DevMail.WaitForAsync(_app, account.Email, "[Password reset] Remote Monitoring Service")).Single();

        Assert.StartsWith("Dear 御室 花子,", mail.Text, StringComparison.Ordinal);
        Assert.Contains("JST", mail.Text, StringComparison.Ordinal);
    }

    private async Task<string> RequestLinkAsync(string email, int expectedMails = 1)
    {
        using var response = await _client.PostAsJsonAsync("/api/password-resets", new { email });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var mails = await DevMail.WaitForAsync(_app, email, ResetSubject, expectedMails);
        return DevMail.LinkToken(mails.OrderBy(m => m.SentAt).Last(), "reset-password");
    }

    private async Task<Dictionary<string, string[]>> FieldErrorsAsync(string token, object body, string? language = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/password-resets/{token}") { Content = JsonContent.Create(body) };
        if (language is not null)
        {
            request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        }

        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }

    private async Task<HttpResponseMessage> GetMeAsync(string session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session);
        return await _client.SendAsync(request);
    }
}
