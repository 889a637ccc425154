using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Accounts.Sessions;
using KpNet.Observability;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace KpNet.Tests.Accounts.Sessions;

public sealed class SessionsApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private string _storage = "";
    private TestApp _app = null!;
    private HttpClient _client = null!;

    // An account of each test's own: tests move the clock hours on, past every deadline in the account.
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
    public async Task Login_answers_a_token_and_the_user_the_token_opens_me_and_after_logout_it_is_refused()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app);

        using var login = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        var me = await GetMeAsync(token);
        using var logout = await SendAsync(HttpMethod.Delete, "/api/sessions/current", token);
        using var afterLogout = await SendAsync(HttpMethod.Get, "/api/me", token);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.InRange(body.GetProperty("expiresAt").GetDateTimeOffset(), _clock.GetUtcNow().AddDays(6.9), _clock.GetUtcNow().AddDays(7));
        var user = body.GetProperty("user");
        Assert.Equal(account.Email, user.GetProperty("email").GetString());
        Assert.Equal("御室 花子", user.GetProperty("name").GetString());
        Assert.Equal("customer", user.GetProperty("role").GetString());
        Assert.False(user.TryGetProperty("dealerId", out _));
        Assert.Equal(account.UserId, me.GetProperty("userId").GetString());
        Assert.Equal(account.Email, me.GetProperty("email").GetString());
        Assert.Equal("customer", me.GetProperty("role").GetString());
        Assert.Equal("御室", me.GetProperty("name").GetProperty("family").GetString());
        Assert.Equal("花子", me.GetProperty("name").GetProperty("given").GetString());
        Assert.Equal("オムロ", me.GetProperty("kana").GetProperty("family").GetString());
        Assert.Equal(TestAccounts.DefaultPhone, me.GetProperty("phone").GetString());
        Assert.Equal("600-8530", me.GetProperty("postalCode").GetString());
        Assert.Equal("京都府", me.GetProperty("prefecture").GetString());
        Assert.Equal("京都市下京区", me.GetProperty("city").GetString());
        Assert.Equal("堀川通1-2", me.GetProperty("street").GetString());
        Assert.Equal(JsonValueKind.Null, me.GetProperty("company").ValueKind);
        Assert.Equal("ja", me.GetProperty("language").GetString());
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
    }

    [Fact]
    public async Task The_portal_cookie_is_httponly_lax_scoped_to_api_and_stops_working_at_logout()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app);
        var cookies = new CookieContainer();
        using var portal = TestAccounts.NewClient(_app, cookies);

        using var login = await portal.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        var sessionCookie = cookies.GetCookies(new Uri(_app.BaseAddress, "/api/me"))["kpnet_session"]!;
        using var me = await portal.GetAsync("/api/me");
        using var logoutRequest = new HttpRequestMessage(HttpMethod.Delete, "/api/sessions/current");
        logoutRequest.Headers.Add("Origin", _app.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var logout = await portal.SendAsync(logoutRequest);
        using var replayed = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        replayed.Headers.Add("Cookie", $"kpnet_session={sessionCookie.Value}");
        using var withOldCookie = await portal.SendAsync(replayed);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.StartsWith("kpnet_session=", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/api", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString(), sessionCookie.Value);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Empty(cookies.GetCookies(new Uri(_app.BaseAddress, "/api/me")));
        Assert.Equal(HttpStatusCode.Unauthorized, withOldCookie.StatusCode);
    }

    [Fact]
    public async Task Under_the_functions_host_the_cookie_is_secure_although_requests_arrive_over_loopback_http()
    {
        await using var hosted = await TestApp.StartHostedAsync(_storage);
        var (account, password) = await TestAccounts.CreateActiveAsync(hosted);

        using var login = await hosted.Client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        using var logout = await SendAsync(hosted.Client, HttpMethod.Delete, "/api/sessions/current", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("secure", Assert.Single(login.Headers.GetValues("Set-Cookie")).Split("; "), StringComparer.OrdinalIgnoreCase);
        Assert.Contains("secure", Assert.Single(logout.Headers.GetValues("Set-Cookie")).Split("; "), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Answers_carrying_a_token_or_the_callers_data_are_never_stored_by_caches()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app);

        using var login = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        using var me = await SendAsync(HttpMethod.Get, "/api/me", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.True(login.Headers.CacheControl?.NoStore);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.True(me.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task Without_a_session_me_and_logout_answer_401()
    {
        using var me = await _client.GetAsync("/api/me");
        using var logout = await _client.DeleteAsync("/api/sessions/current");
        using var bogus = await SendAsync(HttpMethod.Get, "/api/me", "not-a-token");

        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bogus.StatusCode);
        Assert.Equal("ログインしてください。", (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_address_is_compared_case_insensitively_and_a_dealer_gets_its_dealer_id()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app, AccountRole.Dealer, email: $"Dealer-{Guid.NewGuid():N}@Example.jp");

        using var login = await _client.PostAsJsonAsync("/api/sessions", new { email = "  " + account.Email.ToUpperInvariant(), password });
        var user = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user");

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal("dealer", user.GetProperty("role").GetString());
        Assert.Equal(4001, user.GetProperty("dealerId").GetInt32());
        Assert.Equal(account.Email, user.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Wrong_password_unknown_address_and_provisional_account_get_the_same_401()
    {
        var (active, _) = await TestAccounts.CreateActiveAsync(_app);
        var provisional = await TestAccounts.CreateProvisionalAsync(_app);

        var wrongPassword = await LoginProblemAsync(active.Email, "Wr0ngPassword");
        var unknown = await LoginProblemAsync(TestAccounts.UniqueEmail("nobody"), "Wr0ngPassword");
        var notActivated = await LoginProblemAsync(provisional.Email, TestAccounts.DefaultPassword);

        Assert.Equal((HttpStatusCode.Unauthorized, "ユーザIDまたはパスワードが正しくありません。"), (wrongPassword.Status, wrongPassword.Title));
        Assert.Equal(wrongPassword, unknown);
        Assert.Equal(wrongPassword, notActivated);
    }

    [Fact]
    public async Task Messages_are_english_with_accept_language_en()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = JsonContent.Create(new { email = TestAccounts.UniqueEmail(), password = "x" }) };
        request.Headers.AcceptLanguage.ParseAdd("en-US");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("The user ID or password is incorrect.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Five_failures_lock_the_account_for_15_minutes_even_for_the_right_password_then_the_lock_expires()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app);
        using var failures = new MetricCollector<long>(_app.Services.GetRequiredService<IMeterFactory>(), KpNetMetrics.MeterName, "kpnet.auth.failures");

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginProblemAsync(account.Email, "Wr0ngPassword")).Status);
        }

        using var fifth = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password = "Wr0ngPassword" });
        using var rightButLocked = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        _clock.Advance(TimeSpan.FromMinutes(14));
        using var stillLocked = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        using var afterLock = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });

        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightButLocked.StatusCode);
        Assert.InRange(rightButLocked.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        Assert.Equal("試行回数が上限を超えました。しばらくしてから再度お試しください。", (await rightButLocked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, stillLocked.StatusCode);
        Assert.InRange(stillLocked.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, afterLock.StatusCode);
        // The operator's count: four wrong passwords, then three answers that were a lockout (the fifth failure locks).
        Assert.Equal(
            ["login blocked=False", "login blocked=False", "login blocked=False", "login blocked=False", "login blocked=True", "login blocked=True", "login blocked=True"],
            failures.GetMeasurementSnapshot().Select(m => $"{m.Tags["kind"]} blocked={m.Tags["blocked"]}"));
    }

    [Fact]
    public async Task An_unknown_address_is_locked_the_same_way_as_a_known_one()
    {
        var (account, _) = await TestAccounts.CreateActiveAsync(_app);
        var unknown = TestAccounts.UniqueEmail("nobody");

        using var known = await FailFiveTimesAsync(account.Email);
        using var notKnown = await FailFiveTimesAsync(unknown);

        Assert.Equal(HttpStatusCode.TooManyRequests, known.StatusCode);
        Assert.Equal(known.StatusCode, notKnown.StatusCode);
        Assert.Equal(known.Headers.RetryAfter, notKnown.Headers.RetryAfter);
        Assert.Equal(Without(await known.Content.ReadAsStringAsync(), "traceId"), Without(await notKnown.Content.ReadAsStringAsync(), "traceId"));
    }

    [Fact]
    public async Task A_successful_login_resets_the_failure_count()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app);

        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await LoginProblemAsync(account.Email, "Wr0ngPassword")).Status);
            }

            using var success = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
            Assert.Equal(HttpStatusCode.OK, success.StatusCode);
        }
    }

    [Fact]
    public async Task One_client_failing_on_many_addresses_is_locked_out()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app);
        using var sprayer = TestAccounts.NewClient(_app);

        for (var i = 0; i < 49; i++)
        {
            using var failed = await sprayer.PostAsJsonAsync("/api/sessions", new { email = TestAccounts.UniqueEmail("spray"), password = "Wr0ngPassword" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var fiftieth = await sprayer.PostAsJsonAsync("/api/sessions", new { email = TestAccounts.UniqueEmail("spray"), password = "Wr0ngPassword" });
        using var sprayerWithRightPassword = await sprayer.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        using var otherClient = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });

        Assert.Equal(HttpStatusCode.TooManyRequests, fiftieth.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, sprayerWithRightPassword.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
    }

    [Fact]
    public async Task Strangers_guessing_from_fifty_clients_do_not_stop_the_owner_logging_in_from_a_client_it_used_before()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password })).StatusCode);

        await GuessFromFreshClientsAsync(account.Email, 50);
        using var owner = await _client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });

        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }

    [Fact]
    public async Task Guesses_at_one_address_are_capped_per_hour_however_many_clients_make_them()
    {
        var (account, _) = await TestAccounts.CreateActiveAsync(_app);

        var answers = await GuessFromFreshClientsAsync(account.Email, 50);
        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var nextHour = await GuessFromFreshClientsAsync(account.Email, 1);

        // The guess that spends the hour's budget is checked, and already answered 429 like every one after it.
        var checkedGuesses = SignIn.Limits.PerAccount.Limit;
        Assert.All(answers.Take(checkedGuesses - 1), a => Assert.Equal(HttpStatusCode.Unauthorized, a.Status));
        Assert.All(answers.Skip(checkedGuesses - 1), a => Assert.Equal(HttpStatusCode.TooManyRequests, a.Status));
        Assert.All(answers.Skip(checkedGuesses - 1), a => Assert.InRange(a.RetryAfter!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1)));
        Assert.Equal(HttpStatusCode.Unauthorized, Assert.Single(nextHour).Status);
    }

    /// <summary>One wrong password from each of <paramref name="clients"/> new clients, in turn.</summary>
    private async Task<List<(HttpStatusCode Status, TimeSpan? RetryAfter)>> GuessFromFreshClientsAsync(string email, int clients)
    {
        var answers = new List<(HttpStatusCode, TimeSpan?)>();
        for (var i = 0; i < clients; i++)
        {
            using var stranger = TestAccounts.NewClient(_app);
            using var response = await stranger.PostAsJsonAsync("/api/sessions", new { email, password = "Wr0ngPassword" });
            answers.Add((response.StatusCode, response.Headers.RetryAfter?.Delta));
        }

        return answers;
    }

    [Fact]
    public async Task A_session_unused_for_two_hours_expires()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app);
        var token = await TestAccounts.LoginAsync(_client, account.Email, password);

        _clock.Advance(TimeSpan.FromMinutes(119));
        using var beforeIdle = await SendAsync(HttpMethod.Get, "/api/me", token);
        _clock.Advance(TimeSpan.FromMinutes(119));
        using var keptAlive = await SendAsync(HttpMethod.Get, "/api/me", token);
        _clock.Advance(TimeSpan.FromHours(2));
        using var idle = await SendAsync(HttpMethod.Get, "/api/me", token);

        Assert.Equal(HttpStatusCode.OK, beforeIdle.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keptAlive.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, idle.StatusCode);
    }

    [Fact]
    public async Task A_session_in_constant_use_ends_seven_days_after_login()
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(_app);
        var token = await TestAccounts.LoginAsync(_client, account.Email, password);
        var loggedInAt = _clock.GetUtcNow();
        var step = TimeSpan.FromMinutes(110);

        while (_clock.GetUtcNow() + step < loggedInAt + TimeSpan.FromDays(7))
        {
            _clock.Advance(step);
            using var inUse = await SendAsync(HttpMethod.Get, "/api/me", token);
            Assert.Equal(HttpStatusCode.OK, inUse.StatusCode);
        }

        _clock.Advance(step);
        using var expired = await SendAsync(HttpMethod.Get, "/api/me", token);

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    private async Task<JsonElement> GetMeAsync(string token)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/me", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token) => SendAsync(_client, method, path, token);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    private async Task<(HttpStatusCode Status, string? Title, string Body)> LoginProblemAsync(string email, string password)
    {
        using var response = await _client.PostAsJsonAsync("/api/sessions", new { email, password });
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.GetProperty("title").GetString(), Without(body, "traceId"));
    }

    private async Task<HttpResponseMessage> FailFiveTimesAsync(string email)
    {
        for (var i = 0; i < 4; i++)
        {
            using var failed = await _client.PostAsJsonAsync("/api/sessions", new { email, password = "Wr0ngPassword" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        return await _client.PostAsJsonAsync("/api/sessions", new { email, password = "Wr0ngPassword" });
    }

    /// <summary>The problem body without a per-request member (the trace ID), for comparing answers.</summary>
    internal static string Without(string json, string member)
    {
        var properties = JsonDocument.Parse(json).RootElement.EnumerateObject().Where(p => p.Name != member).Select(p => $"{p.Name}={p.Value.GetRawText()}");
        return string.Join(";", properties);
    }
}
