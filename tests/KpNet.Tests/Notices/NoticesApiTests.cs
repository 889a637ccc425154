using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Notices;

public sealed class NoticesApiTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private sealed record NoticeView(string Id, string Date, string Title, string Body, string Audience);

    private sealed record OperatorNoticeView(string Id, string Date, JsonElement Title, string Audience, DateTimeOffset? RetiredAt);

    private sealed record Created(string Id);

    // Notices outlive a test in the shared Azurite: each test looks only at notices carrying its own marker.
    private readonly string _marker = Guid.NewGuid().ToString("N")[..8];
    private TestApp _app = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync(azurite.ConnectionString);
        _admin = await NoticeAccounts.SignedInClientAsync(_app, AccountRole.Admin);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Each_caller_sees_only_the_audiences_meant_for_them_and_anonymous_callers_only_the_public_ones()
    {
        foreach (var audience in new[] { "all", "customers", "dealers", "admins" })
        {
            await PostAsync(new { date = "2026-04-01", title = new { ja = $"{_marker} {audience}" }, body = new { ja = "本文" }, audience });
        }

        using var customer = await NoticeAccounts.SignedInClientAsync(_app, AccountRole.Customer);
        using var dealer = await NoticeAccounts.SignedInClientAsync(_app, AccountRole.Dealer);

        Assert.Equal(["all"], await AudiencesSeenByAsync(_app.Client));
        Assert.Equal(["all", "customers"], await AudiencesSeenByAsync(customer));
        Assert.Equal(["all", "dealers"], await AudiencesSeenByAsync(dealer));
        Assert.Equal(["admins", "all", "customers", "dealers"], await AudiencesSeenByAsync(_admin));
    }

    [Fact]
    public async Task Notices_are_listed_newest_first_in_the_callers_language_with_japanese_when_no_english_was_written()
    {
        await PostAsync(new { date = "2026-01-10", title = new { ja = $"{_marker} システムに障害が発生しています。", en = $"{_marker} The system is down." }, body = new { ja = "復旧作業中です。", en = "We are restoring it." }, audience = "all" });
        await PostAsync(new { date = "2026-02-01", title = new { ja = $"{_marker} 追記：障害の問い合わせ先" }, body = new { ja = "メールに記載している問い合わせ先へお願いします。" }, audience = "all" });

        var japanese = await MineAsync(_app.Client);
        Assert.Equal([$"{_marker} 追記：障害の問い合わせ先", $"{_marker} システムに障害が発生しています。"], japanese.Select(n => n.Title));
        Assert.Equal(["2026-02-01", "2026-01-10"], japanese.Select(n => n.Date));
        Assert.Equal("復旧作業中です。", japanese[1].Body);

        var english = await MineAsync(_app.Client, "en-US,en;q=0.9");
        Assert.Equal([$"{_marker} 追記：障害の問い合わせ先", $"{_marker} The system is down."], english.Select(n => n.Title));
        Assert.Equal("We are restoring it.", english[1].Body);
    }

    [Fact]
    public async Task A_retired_notice_disappears_from_the_list_at_once_and_stays_in_the_operators_history()
    {
        var id = await PostAsync(new { date = "2026-03-01", title = new { ja = $"{_marker} メンテナンスのお知らせ" }, body = new { ja = "本文" }, audience = "all" });
        Assert.Single(await MineAsync(_app.Client));

        var retired = await _admin.DeleteAsync($"/api/operator/notices/{id}");

        Assert.Equal(HttpStatusCode.NoContent, retired.StatusCode);
        Assert.Empty(await MineAsync(_app.Client));
        var history = (await _admin.GetFromJsonAsync<List<OperatorNoticeView>>("/api/operator/notices"))!.Single(n => n.Id == id);
        Assert.NotNull(history.RetiredAt);
        Assert.Equal($"{_marker} メンテナンスのお知らせ", history.Title.GetProperty("ja").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/operator/notices/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.DeleteAsync("/api/operator/notices/0000000000000000000-000000000000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.DeleteAsync("/api/operator/notices/not-an-id")).StatusCode);
    }

    [Fact]
    public async Task Only_notices_inside_their_publish_window_are_listed()
    {
        var now = DateTimeOffset.UtcNow;
        await PostAsync(new { date = "2026-03-01", title = new { ja = $"{_marker} current" }, body = new { ja = "本文" }, audience = "all", publishFrom = now.AddHours(-1).ToString("o"), publishUntil = now.AddHours(1).ToString("o") });
        await PostAsync(new { date = "2026-03-01", title = new { ja = $"{_marker} future" }, body = new { ja = "本文" }, audience = "all", publishFrom = now.AddDays(1).ToString("o") });
        await PostAsync(new { date = "2026-03-01", title = new { ja = $"{_marker} past" }, body = new { ja = "本文" }, audience = "all", publishUntil = now.AddMinutes(-1).ToString("o") });

        Assert.Equal([$"{_marker} current"], (await MineAsync(_app.Client)).Select(n => n.Title));
        Assert.Equal(3, (await _admin.GetFromJsonAsync<List<OperatorNoticeView>>("/api/operator/notices"))!.Count(n => n.Title.GetProperty("ja").GetString()!.StartsWith(_marker, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_invalid_notice_is_rejected_with_every_field_named_in_japanese_or_english()
    {
        var empty = await _admin.PostAsJsonAsync("/api/operator/notices", new { });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);
        var errors = await ErrorsAsync(empty);
        Assert.Equal(["audience", "body.ja", "date", "title.ja"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("入力してください。", errors["date"][0]);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/operator/notices")
        {
            Content = JsonContent.Create(new
            {
                date = "2026-13-45",
                title = new { ja = new string('あ', 101) },
                body = new { ja = "本文" },
                audience = "everyone",
                publishFrom = "2026-04-02T00:00:00Z",
                publishUntil = "2026-04-01T00:00:00Z",
            }),
        };
        request.Headers.AcceptLanguage.ParseAdd("en");
        var invalid = await _admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        errors = await ErrorsAsync(invalid);
        Assert.Equal(["audience", "date", "publishUntil", "title.ja"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Enter at most 100 characters.", errors["title.ja"][0]);
    }

    [Fact]
    public async Task A_body_keeps_its_line_breaks_while_line_breaks_and_bidi_overrides_elsewhere_are_refused()
    {
        await PostAsync(new { date = "2026-04-01", title = new { ja = $"{_marker} 複数行" }, body = new { ja = "1行目\r\n2行目\n3行目" }, audience = "all" });
        var listed = (await _app.Client.GetFromJsonAsync<List<NoticeView>>("/api/notices"))!.Single(n => n.Title.StartsWith(_marker, StringComparison.Ordinal));
        Assert.Equal("1行目\n2行目\n3行目", listed.Body);

        var refused = await _admin.PostAsJsonAsync("/api/operator/notices", new
        {
            date = "2026-04-01", title = new { ja = $"{_marker}\n偽の見出し", en = "evil\u202Etxt.exe" }, body = new { ja = "本文\t\u202E" }, audience = "all",
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = await ErrorsAsync(refused);
        Assert.Equal(["body.ja", "title.en", "title.ja"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("使用できない文字が含まれています（改行・タブなどの制御文字や、文字の向きを変える記号は使用できません）。", errors["title.ja"][0]);
    }

    [Fact]
    public async Task Posting_and_retiring_notices_needs_an_operator_session()
    {
        using var customer = await NoticeAccounts.SignedInClientAsync(_app, AccountRole.Customer);
        using var dealer = await NoticeAccounts.SignedInClientAsync(_app, AccountRole.Dealer);
        var notice = new { date = "2026-04-01", title = new { ja = $"{_marker} x" }, body = new { ja = "本文" }, audience = "all" };
        var id = await PostAsync(notice);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.Client.PostAsJsonAsync("/api/operator/notices", notice)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.PostAsJsonAsync("/api/operator/notices", notice)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await dealer.DeleteAsync($"/api/operator/notices/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.Client.GetAsync("/api/operator/notices")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync("/api/operator/notices")).StatusCode);
        Assert.Single(await MineAsync(_app.Client));
    }

    private async Task<string> PostAsync(object notice)
    {
        var response = await _admin.PostAsJsonAsync("/api/operator/notices", notice);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Created>())!.Id;
    }

    private async Task<List<NoticeView>> MineAsync(HttpClient client, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/notices");
        if (acceptLanguage is not null)
        {
            request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        }

        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var notices = (await response.Content.ReadFromJsonAsync<List<NoticeView>>())!;
        return notices.Where(n => n.Title.StartsWith(_marker, StringComparison.Ordinal)).ToList();
    }

    private async Task<List<string>> AudiencesSeenByAsync(HttpClient client) =>
        (await MineAsync(client)).Select(n => n.Audience).Order(StringComparer.Ordinal).ToList();

    private static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }
}
