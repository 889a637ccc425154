using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Accounts.Profile;
using KpNet.Accounts.Recovery;
using KpNet.Security;
using KpNet.Tests.Accounts.Recovery;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Accounts.Profile;

/// <summary>登録情報の変更 through the API: registration data, e-mail address (confirmed by link) and password.</summary>
public sealed class ProfileChangeTests : IAsyncLifetime
{
    private const string ProfileChangedSubject = "【登録情報変更のお知らせ】遠隔モニタリングサービス";
    private const string ConfirmationSubject = "【メールアドレス変更の確認】遠隔モニタリングサービス";
    private const string RequestedSubject = "【メールアドレス変更お申し込みのお知らせ】遠隔モニタリングサービス";
    private const string TakenSubject = "【メールアドレス変更のお知らせ】遠隔モニタリングサービス";
    private const string EmailChangedSubject = "【メールアドレス変更完了のお知らせ】遠隔モニタリングサービス";
    private const string PasswordChangedSubject = "【パスワード変更完了のお知らせ】遠隔モニタリングサービス";
    private const string WrongPassword = "現在のパスワードが正しくありません。変更は行われていません。";
    private const string NewPassword = "Kaede2026x";

    private readonly FakeTimeProvider _clock = new();
    private readonly NameChanges _nameChanges = new();
    private string _storage = "";
    private TestApp _app = null!;
    private HttpClient _client = null!;

    // An account of each test's own: one test moves its clock a day on, and two wait until every queued mail is handled.
    public async Task InitializeAsync()
    {
        _storage = await AzuriteFixture.LeaseAccountAsync();
        _app = await TestApp.StartAsync(_storage, configure: b =>
        {
            b.Services.AddSingleton<TimeProvider>(_clock);
            b.Services.AddSingleton<ICustomerNameListener>(_nameChanges);
        });
        _client = TestAccounts.NewClient(_app);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_wrong_current_password_is_refused_on_its_field_and_changes_nothing()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, phone: TestAccounts.UniquePhone());
        var session = await TestAccounts.LoginAsync(_client, account.Email, password);

        using var details = await SendAsync(HttpMethod.Put, "/api/me/profile", session, Details("Wrong1Pass", "09011112222"));
        using var email = await SendAsync(HttpMethod.Post, "/api/me/email-change", session, EmailChange("Wrong1Pass", TestAccounts.UniqueEmail("new")));
        using var changedPassword = await SendAsync(HttpMethod.Put, "/api/me/password", session,
            new { currentPassword = "Wrong1Pass", password = NewPassword, passwordConfirm = NewPassword });
        await DevMail.AllHandledAsync(_storage);
        var stored = await FindAsync(account.Email);

        foreach (var refused in new[] { details, email, changedPassword })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(WrongPassword, Assert.Single((await ErrorsAsync(refused))["currentPassword"]));
        }

        Assert.Equal(account.Phone, stored!.Phone);
        Assert.Equal(account.Name, stored.Name);
        Assert.Equal(account.PasswordHash, stored.PasswordHash);
        Assert.DoesNotContain(await DevMail.ListAsync(_app), m => m.To == account.Email);
        using var me = await SendAsync(HttpMethod.Get, "/api/me", session);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task Changed_registration_data_is_saved_the_customer_is_told_and_the_forgotten_id_index_follows_the_phone()
    {
        var oldPhone = TestAccounts.UniquePhone();
        var newPhone = TestAccounts.UniquePhone();
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, phone: oldPhone);
        var session = await TestAccounts.LoginAsync(_client, account.Email, password);

        using var response = await SendAsync(HttpMethod.Put, "/api/me/profile", session, Details(password, newPhone[..3] + "-" + newPhone[3..7] + "-" + newPhone[7..]));
        var profile = await response.Content.ReadFromJsonAsync<JsonElement>();
        var mail = (await DevMail.WaitForAsync(_app, account.Email, ProfileChangedSubject)).Single();
        var index = _app.Services.GetRequiredService<AccountPhoneIndex>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("嵐山", profile.GetProperty("name").GetProperty("family").GetString());
        Assert.Equal("アラシヤマ", profile.GetProperty("kana").GetProperty("family").GetString());
        Assert.Equal(newPhone, profile.GetProperty("phone").GetString());
        Assert.Equal("616-8385", profile.GetProperty("postalCode").GetString());
        Assert.Equal("嵐山商店（本店）", profile.GetProperty("company").GetProperty("name").GetString());
        Assert.StartsWith("嵐山 楓 様", mail.Text, StringComparison.Ordinal);
        Assert.Contains("氏名・フリガナ・住所・電話番号・法人様情報", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(newPhone, mail.Text, StringComparison.Ordinal);
        Assert.Equal("嵐山", (await FindAsync(account.Email))!.Name.Family);
        Assert.Equal(account.UserId, Assert.Single(await index.FindAsync(newPhone, CancellationToken.None)).UserId);
        Assert.Equal("嵐山", (await index.FindAsync(newPhone, CancellationToken.None))[0].Name.Family);
        Assert.Empty(await index.FindAsync(oldPhone, CancellationToken.None));
    }

    [Fact]
    public async Task A_change_made_from_data_that_another_change_replaced_meanwhile_is_refused_and_changes_nothing()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, phone: TestAccounts.UniquePhone());
        var session = await TestAccounts.LoginAsync(_client, account.Email, password);
        var (firstPhone, staleTabsPhone) = (TestAccounts.UniquePhone(), TestAccounts.UniquePhone());

        using var read = await SendAsync(HttpMethod.Get, "/api/me/profile", session);
        using var first = await SendAsync(HttpMethod.Put, "/api/me/profile", session, Details(password, firstPhone), read.Headers.ETag);
        using var stale = await SendAsync(HttpMethod.Put, "/api/me/profile", session, Details(password, staleTabsPhone), read.Headers.ETag);
        var afterStale = await FindAsync(account.Email);
        var indexedAfterStale = await _app.Services.GetRequiredService<AccountPhoneIndex>().FindAsync(staleTabsPhone, CancellationToken.None);
        using var reread = await SendAsync(HttpMethod.Get, "/api/me/profile", session);
        using var fromLatest = await SendAsync(HttpMethod.Put, "/api/me/profile", session, Details(password, staleTabsPhone), reread.Headers.ETag);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(account.Phone, (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("phone").GetString());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotEqual(read.Headers.ETag, first.Headers.ETag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("登録情報はこの画面を開いた後にほかの画面で変更されています。変更は行われていません。最新の内容を読み込んでから、もう一度変更してください。",
            (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(firstPhone, afterStale!.Phone);
        Assert.Empty(indexedAfterStale);
        Assert.Equal(first.Headers.ETag, reread.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, fromLatest.StatusCode);
        Assert.Equal(staleTabsPhone, (await FindAsync(account.Email))!.Phone);
    }

    [Fact]
    public async Task Concurrent_changes_each_land_whole_and_leave_only_the_final_phone_in_the_index()
    {
        var oldPhone = TestAccounts.UniquePhone();
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, phone: oldPhone);
        var session = await TestAccounts.LoginAsync(_client, account.Email, password);
        var phones = Enumerable.Range(0, 4).Select(_ => TestAccounts.UniquePhone()).ToList();

        var responses = await Task.WhenAll(phones.Select(phone => SendAsync(HttpMethod.Put, "/api/me/profile", session, Details(password, phone))));
        var stored = await FindAsync(account.Email);
        var index = _app.Services.GetRequiredService<AccountPhoneIndex>();

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Contains(stored!.Phone, phones);
        Assert.Equal("嵐山", stored.Name.Family);
        foreach (var phone in phones.Append(oldPhone))
        {
            var rows = await index.FindAsync(phone, CancellationToken.None);
            Assert.Equal(phone == stored.Phone ? 1 : 0, rows.Count);
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Copies_of_the_customers_name_elsewhere_are_told_of_a_new_name_and_not_of_a_new_phone_alone()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, phone: TestAccounts.UniquePhone());
        var session = await TestAccounts.LoginAsync(_client, account.Email, password);

        using var renamed = await SendAsync(HttpMethod.Put, "/api/me/profile", session, Details(password, TestAccounts.UniquePhone()));
        using var newPhoneOnly = await SendAsync(HttpMethod.Put, "/api/me/profile", session, Details(password, TestAccounts.UniquePhone()));

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newPhoneOnly.StatusCode);
        var told = Assert.Single(_nameChanges.Of(account.UserId));
        Assert.Equal(new PersonName("嵐山", "楓"), told.Name);
        Assert.Equal("嵐山商店（本店）", told.Company!.Name);
    }

    [Fact]
    public async Task A_new_address_counts_once_its_mailed_link_is_followed_and_every_session_then_ends()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, phone: TestAccounts.UniquePhone());
        var session = await TestAccounts.LoginAsync(_client, account.Email, password);
        var newEmail = TestAccounts.UniqueEmail("moved");

        using var requested = await SendAsync(HttpMethod.Post, "/api/me/email-change", session, EmailChange(password, newEmail));
        var confirmation = (await DevMail.WaitForAsync(_app, newEmail, ConfirmationSubject)).Single();
        var notice = (await DevMail.WaitForAsync(_app, account.Email, RequestedSubject)).Single();
        using var beforeConfirming = await _client.PostAsJsonAsync("/api/sessions", new { email = newEmail, password });
        var token = DevMail.LinkToken(confirmation, "email-change");
        using var confirmed = await _client.PostAsync($"/api/email-changes/{token}", null);
        using var again = await _client.PostAsync($"/api/email-changes/{token}", null);
        using var oldSession = await SendAsync(HttpMethod.Get, "/api/me", session);
        using var oldLogin = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        var newSession = await TestAccounts.LoginAsync(_client, newEmail.ToUpperInvariant(), password);
        using var me = await SendAsync(HttpMethod.Get, "/api/me", newSession);
        var completed = (await DevMail.WaitForAsync(_app, account.Email, EmailChangedSubject)).Single();
        var index = await _app.Services.GetRequiredService<AccountPhoneIndex>().FindAsync(account.Phone, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        Assert.True(SecureToken.LooksValid(token));
        Assert.StartsWith("御室 花子 様", confirmation.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(newEmail, notice.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, beforeConfirming.StatusCode);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(newEmail, (await confirmed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("email").GetString());
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldSession.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldLogin.StatusCode);
        Assert.Equal(account.UserId, (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userId").GetString());
        Assert.DoesNotContain(newEmail, completed.Text, StringComparison.Ordinal);
        Assert.Null(await FindAsync(account.Email));
        Assert.Equal(newEmail, (await _app.Services.GetRequiredService<AccountStore>().FindByUserIdAsync(account.UserId, CancellationToken.None))!.Email);
        Assert.Equal(newEmail, Assert.Single(index).Email);
    }

    [Fact]
    public async Task An_address_another_account_has_is_only_told_to_that_address_and_a_confirmation_for_it_is_refused()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, phone: TestAccounts.UniquePhone());
        var (other, _) = await TestAccounts.CreateActiveAsync(_app, phone: TestAccounts.UniquePhone());
        var session = await TestAccounts.LoginAsync(_client, account.Email, password);
        var laterTaken = TestAccounts.UniqueEmail("later-taken");

        using var forTaken = await SendAsync(HttpMethod.Post, "/api/me/email-change", session, EmailChange(password, other.Email.ToUpperInvariant()));
        var told = (await DevMail.WaitForAsync(_app, other.Email.ToUpperInvariant(), TakenSubject)).Single();
        using var forFree = await SendAsync(HttpMethod.Post, "/api/me/email-change", session, EmailChange(password, laterTaken));
        var token = DevMail.LinkToken((await DevMail.WaitForAsync(_app, laterTaken, ConfirmationSubject)).Single(), "email-change");
        await TestAccounts.CreateActiveAsync(_app, email: laterTaken, phone: TestAccounts.UniquePhone());
        using var confirmed = await _client.PostAsync($"/api/email-changes/{token}", null);
        await DevMail.AllHandledAsync(_storage);
        using var me = await SendAsync(HttpMethod.Get, "/api/me", session);

        Assert.Equal(HttpStatusCode.Accepted, forTaken.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, forFree.StatusCode);
        Assert.DoesNotContain(account.Email, told.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(await DevMail.ListAsync(_app), m => m.Subject == ConfirmationSubject && m.To.Equals(other.Email, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.Conflict, confirmed.StatusCode);
        Assert.Equal("このメールアドレスはほかのアカウントで使われているため、変更できません。メールアドレスは変更されていません。",
            (await confirmed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(account.Email, (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("email").GetString());
        Assert.Equal(other.UserId, (await FindAsync(other.Email))!.UserId);
        Assert.Equal(account.UserId, (await FindAsync(account.Email))!.UserId);
    }

    [Fact]
    public async Task A_change_link_expires_after_a_day_and_a_newer_request_retires_it()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, phone: TestAccounts.UniquePhone());
        var session = await TestAccounts.LoginAsync(_client, account.Email, password);
        var first = TestAccounts.UniqueEmail("first");
        var second = TestAccounts.UniqueEmail("second");

        (await SendAsync(HttpMethod.Post, "/api/me/email-change", session, EmailChange(password, first))).Dispose();
        var firstToken = DevMail.LinkToken((await DevMail.WaitForAsync(_app, first, ConfirmationSubject)).Single(), "email-change");
        (await SendAsync(HttpMethod.Post, "/api/me/email-change", session, EmailChange(password, second))).Dispose();
        var secondToken = DevMail.LinkToken((await DevMail.WaitForAsync(_app, second, ConfirmationSubject)).Single(), "email-change");
        using var retired = await _client.PostAsync($"/api/email-changes/{firstToken}", null);
        _clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        using var expired = await _client.PostAsync($"/api/email-changes/{secondToken}", null);

        Assert.Equal(HttpStatusCode.Gone, retired.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Equal("このURLは有効期限が切れているか、すでに使用されています。お手数ですが、メールアドレスの変更をもう一度お申し込みください。",
            (await expired.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(account.UserId, (await FindAsync(account.Email))!.UserId);
        Assert.Null(await FindAsync(second));
    }

    [Fact]
    public async Task Of_two_concurrent_confirmations_of_one_link_exactly_one_moves_the_account()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, phone: TestAccounts.UniquePhone());
        var session = await TestAccounts.LoginAsync(_client, account.Email, password);
        var newEmail = TestAccounts.UniqueEmail("race");
        (await SendAsync(HttpMethod.Post, "/api/me/email-change", session, EmailChange(password, newEmail))).Dispose();
        var token = DevMail.LinkToken((await DevMail.WaitForAsync(_app, newEmail, ConfirmationSubject)).Single(), "email-change");

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => _client.PostAsync($"/api/email-changes/{token}", null)));

        Assert.Single(answers, answer => answer.StatusCode == HttpStatusCode.OK);
        Assert.Equal(2, answers.Count(answer => answer.StatusCode == HttpStatusCode.Gone));
        Assert.Equal(account.UserId, (await FindAsync(newEmail))!.UserId);
        Assert.Null(await FindAsync(account.Email));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task A_move_that_stopped_midway_is_completed_by_asking_again_not_refused_as_a_taken_address()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, phone: TestAccounts.UniquePhone());
        var session = await TestAccounts.LoginAsync(_client, account.Email, password);
        var newEmail = TestAccounts.UniqueEmail("half-moved");
        // What a confirmation leaves when storage fails after the account's row under the new address was written.
        await _app.Services.GetRequiredService<AccountStore>().InsertAsync(account with { Email = newEmail }, CancellationToken.None);

        using var requested = await SendAsync(HttpMethod.Post, "/api/me/email-change", session, EmailChange(password, newEmail));
        var token = DevMail.LinkToken((await DevMail.WaitForAsync(_app, newEmail, ConfirmationSubject)).Single(), "email-change");
        using var confirmed = await _client.PostAsync($"/api/email-changes/{token}", null);

        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Null(await FindAsync(account.Email));
        Assert.Equal(account.UserId, (await FindAsync(newEmail))!.UserId);
        Assert.DoesNotContain(await DevMail.ListAsync(_app), m => m.To == newEmail && m.Subject == TakenSubject);
    }

    [Fact]
    public async Task A_new_password_keeps_the_session_that_set_it_and_ends_every_other()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, phone: TestAccounts.UniquePhone());
        var current = await TestAccounts.LoginAsync(_client, account.Email, password);
        var other = await TestAccounts.LoginAsync(_client, account.Email, password);

        using var weak = await SendAsync(HttpMethod.Put, "/api/me/password", current, new { currentPassword = password, password = "password1", passwordConfirm = "password1" });
        using var changed = await SendAsync(HttpMethod.Put, "/api/me/password", current, new { currentPassword = password, password = NewPassword, passwordConfirm = NewPassword });
        using var currentMe = await SendAsync(HttpMethod.Get, "/api/me", current);
        using var otherMe = await SendAsync(HttpMethod.Get, "/api/me", other);
        using var oldLogin = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        using var newLogin = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password = NewPassword });
        var mail = (await DevMail.WaitForAsync(_app, account.Email, PasswordChangedSubject)).Single();

        Assert.Equal("パスワードは8文字以上16文字以内かつ、英小文字、英大文字、数字をすべて含んだものをご入力ください。", Assert.Single((await ErrorsAsync(weak))["password"]));
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, currentMe.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherMe.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldLogin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newLogin.StatusCode);
        Assert.Contains("変更した画面以外のログイン状態はすべて解除されています", mail.Text, StringComparison.Ordinal);
    }

    private static object Details(string currentPassword, string phone) => new
    {
        currentPassword,
        name = new { family = "嵐山", given = "楓" },
        kana = new { family = "あらしやま", given = "カエデ" },
        postalCode = "６１６－８３８５",
        prefecture = "京都府",
        city = "京都市右京区",
        street = "嵯峨天龍寺芒ノ馬場町68",
        phone,
        company = new { name = "嵐山商店（本店）", department = "総務部" },
    };

    private static object EmailChange(string currentPassword, string email) => new { currentPassword, email, emailConfirm = email };

    private async Task<Account?> FindAsync(string email) =>
        await _app.Services.GetRequiredService<AccountStore>().FindByEmailAsync(email, CancellationToken.None);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string session, object? body = null, EntityTagHeaderValue? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session);
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(ifMatch);
        }

        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync();
        }

        return await _client.SendAsync(request);
    }

    private static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;

    /// <summary>Stands for the dealer list's copy of customers' names: records what it is told.</summary>
    private sealed class NameChanges : ICustomerNameListener
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<Account> _told = new();

        public Task CustomerNameChangedAsync(Account customer, CancellationToken cancellationToken)
        {
            _told.Enqueue(customer);
            return Task.CompletedTask;
        }

        public List<Account> Of(string userId) => _told.Where(account => account.UserId == userId).ToList();
    }
}
