using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Hosting;
using KpNet.Hosting.Invocation;
using KpNet.Registration;
using KpNet.Security;
using KpNet.Tests.Accounts;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Registration.RegistrationClient;

namespace KpNet.Tests.Registration;

public sealed class RegistrationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private string _storage = "";
    private TestApp _app = null!;

    // An account of each test's own: two tests move the clock days on, past every deadline in the account.
    public async Task InitializeAsync()
    {
        _storage = await AzuriteFixture.LeaseAccountAsync();
        _app = await TestApp.StartAsync(_storage, configure: b => b.Services.AddSingleton<TimeProvider>(_clock));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_customer_verifies_the_gateway_registers_follows_the_mailed_link_and_activates_once()
    {
        var gatewayId = await ImportGatewayAsync(_app);
        var email = UniqueEmail();

        var verify = await _app.Client.PostAsJsonAsync("/api/gateways/verify", new { id = gatewayId.ToLowerInvariant(), password = GatewayPassword });
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        var gateway = await ProblemAsync(verify);
        Assert.Equal(gatewayId, gateway.GetProperty("id").GetString());
        Assert.Equal("GW-M001", gateway.GetProperty("model").GetString());
        Assert.Equal(JsonValueKind.Null, gateway.GetProperty("firstCommunicatedAt").ValueKind);
        Assert.Equal(0, gateway.GetProperty("units").GetArrayLength());

        var registered = await RegisterAsync(_app, Body(email, gatewayId));
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        var expiresAt = (await ProblemAsync(registered)).GetProperty("activationExpiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt - _clock.GetUtcNow(), TimeSpan.FromHours(71.9), TimeSpan.FromHours(72));

        var mail = Assert.Single(await WaitForMailsAsync(_app, email));
        Assert.Equal("【アカウント仮登録のお知らせ】遠隔モニタリングサービス", Subject(mail));
        var text = mail.GetProperty("text").GetString()!;
        Assert.StartsWith("御室 花子 様", text);
        Assert.Contains("仮登録", text);
        Assert.Contains(JapanTime.ForMail(expiresAt, english: false), text);
        var token = TokenIn(mail);

        var link = await ProblemAsync(await _app.Client.GetAsync("/api/activations/" + token));
        Assert.Equal(email, link.GetProperty("email").GetString());
        Assert.Equal("御室 花子", link.GetProperty("name").GetString());
        Assert.Equal("customer", link.GetProperty("kind").GetString());

        var activated = await ActivateAsync(_app, token, phone: "０７５（３４４）８１６０");
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        Assert.Equal(email, (await ProblemAsync(activated)).GetProperty("email").GetString());
        var account = await _app.Services.GetRequiredService<AccountStore>().FindByEmailAsync(email, CancellationToken.None);
        Assert.Equal(AccountStatus.Active, account!.Status);
        Assert.Equal(AccountRole.Customer, account.Role);
        Assert.Equal(SecretVerification.Valid, _app.Services.GetRequiredService<SecretHasher>().Verify(account.PasswordHash!, "Passw0rdKp"));
        var claim = await _app.Services.GetRequiredService<GatewayClaims>().FindAsync(gatewayId, CancellationToken.None);
        Assert.Equal(ClaimStatus.Active, claim!.Status);
        Assert.Equal(account.UserId, claim.OwnerUserId);

        Assert.Equal(HttpStatusCode.Gone, (await ActivateAsync(_app, token)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await _app.Client.GetAsync("/api/activations/" + token)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _app.Client.PostAsJsonAsync("/api/gateways/verify", new { id = gatewayId, password = GatewayPassword })).StatusCode);
        await WaitForMailsAsync(_app, email, count: 2);
        Assert.Contains(await MailsToAsync(_app, email), m => Subject(m).StartsWith("【本登録完了のお知らせ】", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_terms_of_use_are_versioned_in_japanese_and_english_and_a_stale_version_is_refused()
    {
        var japanese = await _app.Client.GetFromJsonAsync<JsonElement>("/api/terms");
        Assert.Equal(TermsOfUse.Version, japanese.GetProperty("version").GetString());
        Assert.Contains("利用規約", japanese.GetProperty("text").GetString());
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/terms");
        request.Headers.AcceptLanguage.ParseAdd("en");
        var english = await (await _app.Client.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Terms of Use", english.GetProperty("text").GetString());

        var body = Body(UniqueEmail(), await ImportGatewayAsync(_app));
        body["termsVersion"] = "2019-01";
        Assert.Equal(["termsVersion"], ErrorPaths(await ProblemAsync(await RegisterAsync(_app, body))));
    }

    [Theory]
    [InlineData("termsVersion", null)]
    [InlineData("name.family", null)]
    [InlineData("name.family", "御室御室御室御室御室御室御室御")]
    [InlineData("name.given", "Hanako2")]
    [InlineData("name.given", "花 子")]
    [InlineData("kana.family", "御室")]
    [InlineData("kana.given", "hanako")]
    [InlineData("kana.given", null)]
    [InlineData("email", "hanako@")]
    [InlineData("email", "hanako example.jp")]
    [InlineData("emailConfirm", "other@example.jp")]
    [InlineData("postalCode", "600-853")]
    [InlineData("postalCode", "abc-defg")]
    [InlineData("prefecture", "京都")]
    [InlineData("prefecture", "Kyoto")]
    [InlineData("city", null)]
    [InlineData("city", "京都市京都市京都市京都市京都市京都市京都市京都市京都市京都市京都市京都市京都市京都市京都市京都市京都市京")]
    [InlineData("street", null)]
    [InlineData("phone", "075-344-816")]
    [InlineData("phone", "1753448160")]
    [InlineData("phone", "040-1234-5678-9")]
    [InlineData("phone", "03-1234-5678x")]
    [InlineData("company.name", "部署だけ入力")]
    [InlineData("gateway.id", "RPA001")]
    [InlineData("gateway.id", null)]
    [InlineData("gateway.password", null)]
    [InlineData("site.name", null)]
    [InlineData("site.name", "あいうえおかきくけこあいうえおかきくけこあいうえおかきくけこあいうえおかきくけこあいうえおかきくけこX")]
    [InlineData("site.postalCode", "98765")]
    [InlineData("site.prefecture", "京都市")]
    [InlineData("site.city", null)]
    [InlineData("site.street", null)]
    [InlineData("gridConnectionDate", "2025-13-01")]
    [InlineData("gridConnectionDate", "2999-01-01")]
    public async Task Each_rejected_field_is_named_by_its_json_path(string path, string? value)
    {
        var email = UniqueEmail();
        var body = Body(email, await ImportGatewayAsync(_app));
        if (path == "company.name")
        {
            body["company"] = new JsonObject { ["name"] = "", ["department"] = value };
        }
        else
        {
            Set(body, path, value);
        }

        var response = await RegisterAsync(_app, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal([path], ErrorPaths(problem));
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}|\p{IsHiragana}|\p{IsKatakana}", problem.GetProperty("errors").GetProperty(path)[0].GetString());
        Assert.Null(await _app.Services.GetRequiredService<AccountStore>().FindByEmailAsync(email, CancellationToken.None));
    }

    [Theory]
    [InlineData("site.name", "京都発電所\r\nBcc: victim@example.jp")]
    [InlineData("site.name", "京都\u202E所電発")]
    [InlineData("street", "堀川通\n1-2")]
    [InlineData("street", "堀川通\u20281-2")]
    [InlineData("city", "京都市\0")]
    [InlineData("site.street", "123\t4-5")]
    [InlineData("company.name", "XX株式会社\u2066")]
    [InlineData("site.city", "京都市\u200F下京区")]
    public async Task Control_and_bidi_characters_in_free_text_are_refused_under_their_field(string path, string value)
    {
        var email = UniqueEmail();
        var body = Body(email, await ImportGatewayAsync(_app));
        Set(body, path, value);

        var response = await RegisterAsync(_app, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("入力内容に誤りがあります。", problem.GetProperty("title").GetString());
        Assert.Equal([path], ErrorPaths(problem));
        Assert.Equal("使用できない文字が含まれています（改行・タブなどの制御文字や、文字の向きを変える記号は使用できません）。",
            problem.GetProperty("errors").GetProperty(path)[0].GetString());
        Assert.Null(await _app.Services.GetRequiredService<AccountStore>().FindByEmailAsync(email, CancellationToken.None));
    }

    [Fact]
    public async Task Full_width_ids_digits_and_kana_are_stored_normalised_and_free_text_as_typed()
    {
        var gatewayId = await ImportGatewayAsync(_app);
        var email = UniqueEmail();
        var body = Body(email.ToUpperInvariant(), FullWidth(gatewayId.ToLowerInvariant()));
        body["emailConfirm"] = email;
        body["kana"] = new JsonObject { ["family"] = "おむろ", ["given"] = "ﾊﾅｺ" };
        body["postalCode"] = "６００－８５３０";
        body["site"]!["postalCode"] = "9876543";
        body["phone"] = "０９０ー１２３４ー５６７８";
        body["street"] = "  堀川通１－２  ";
        body["company"] = new JsonObject { ["name"] = "ＸＸ株式会社", ["department"] = "" };

        Assert.Equal(HttpStatusCode.Accepted, (await RegisterAsync(_app, body)).StatusCode);
        await WaitForMailsAsync(_app, email);

        var account = await _app.Services.GetRequiredService<AccountStore>().FindByEmailAsync(email, CancellationToken.None);
        Assert.Equal(new PersonName("オムロ", "ハナコ"), account!.Kana);
        Assert.Equal(new PostalAddress("600-8530", "京都府", "京都市下京区", "堀川通１－２"), account.Address);
        Assert.Equal("09012345678", account.Phone);
        Assert.Equal(new Company("ＸＸ株式会社", ""), account.Company);
        var site = await _app.Services.GetRequiredService<StorageAccount>().GetTableClient(CustomerSites.TableName)
            .GetEntityIfExistsAsync<TableEntity>(account.UserId, gatewayId);
        Assert.Equal("987-6543", site.Value!.GetString("PostalCode"));
        Assert.Equal("2025-10-01", site.Value.GetString("GridConnectionDate"));
    }

    [Fact]
    public async Task Messages_are_japanese_by_default_and_english_on_request()
    {
        var body = Body(UniqueEmail(), await ImportGatewayAsync(_app));
        body["postalCode"] = "12";

        var japanese = await ProblemAsync(await RegisterAsync(_app, body));
        var english = await ProblemAsync(await RegisterAsync(_app, body, "en"));

        Assert.Equal("郵便番号は3桁と4桁の数字で入力してください（例：600-8530）。", japanese.GetProperty("errors").GetProperty("postalCode")[0].GetString());
        Assert.Equal("Enter a postal code of 3 + 4 digits (e.g. 600-8530).", english.GetProperty("errors").GetProperty("postalCode")[0].GetString());
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_gateway_get_the_same_answer_and_guessing_is_throttled()
    {
        var gatewayId = await ImportGatewayAsync(_app);

        var wrongPassword = await _app.Client.PostAsJsonAsync("/api/gateways/verify", new { id = gatewayId, password = "wrong-password1" });
        var unknownId = await _app.Client.PostAsJsonAsync("/api/gateways/verify", new { id = "ZZ" + gatewayId[2..], password = GatewayPassword });
        Assert.Equal(HttpStatusCode.BadRequest, wrongPassword.StatusCode);
        var (wrongPasswordProblem, unknownIdProblem) = (await ProblemAsync(wrongPassword), await ProblemAsync(unknownId));
        Assert.Equal(wrongPasswordProblem.GetProperty("title").GetString(), unknownIdProblem.GetProperty("title").GetString());
        Assert.Equal(wrongPasswordProblem.GetProperty("errors").GetRawText(), unknownIdProblem.GetProperty("errors").GetRawText());
        Assert.Equal(["id", "password"], ErrorPaths(wrongPasswordProblem));
        var registerWrong = await RegisterAsync(_app, Body(UniqueEmail(), gatewayId, "wrong-password1"));
        Assert.Equal(["gateway.id", "gateway.password"], ErrorPaths(await ProblemAsync(registerWrong)));

        HttpResponseMessage response;
        var attempts = 2;
        do
        {
            response = await _app.Client.PostAsJsonAsync("/api/gateways/verify", new { id = gatewayId, password = "wrong-password1" });
            attempts++;
        }
        while (response.StatusCode == HttpStatusCode.BadRequest && attempts < GatewayCredentials.Limits.PerAccountClient.Limit + 1);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var rightButLocked = await _app.Client.PostAsJsonAsync("/api/gateways/verify", new { id = gatewayId, password = GatewayPassword });
        Assert.Equal(HttpStatusCode.TooManyRequests, rightButLocked.StatusCode);
    }

    [Fact]
    public async Task Two_registrations_racing_for_one_gateway_leave_one_owner_and_no_orphan_account()
    {
        var gatewayId = await ImportGatewayAsync(_app);
        var (first, second) = (UniqueEmail(), UniqueEmail());

        var responses = await Task.WhenAll(RegisterAsync(_app, Body(first, gatewayId)), RegisterAsync(_app, Body(second, gatewayId)));

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        var winner = responses[0].StatusCode == HttpStatusCode.Accepted ? first : second;
        var loser = winner == first ? second : first;
        await WaitForMailsAsync(_app, winner);
        var claims = _app.Services.GetRequiredService<StorageAccount>().GetTableClient(GatewayClaims.TableName);
        var rows = new List<TableEntity>();
        await foreach (var row in claims.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {gatewayId}")))
        {
            rows.Add(row);
        }

        Assert.Equal(winner, Assert.Single(rows).GetString("OwnerEmail"));
        var accounts = _app.Services.GetRequiredService<AccountStore>();
        Assert.NotNull(await accounts.FindByEmailAsync(winner, CancellationToken.None));
        Assert.Null(await accounts.FindByEmailAsync(loser, CancellationToken.None));
    }

    [Fact]
    public async Task Two_registrations_with_one_address_make_one_account_and_its_owner_adds_the_losing_gateway_once_activated()
    {
        var (gatewayA, gatewayB) = (await ImportGatewayAsync(_app), await ImportGatewayAsync(_app));
        var email = UniqueEmail();

        var responses = await Task.WhenAll(RegisterAsync(_app, Body(email, gatewayA)), RegisterAsync(_app, Body(email, gatewayB)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var mails = await WaitForMailsAsync(_app, email, count: 2);
        Assert.Contains(mails, m => Subject(m).StartsWith("【アカウント仮登録のお知らせ】", StringComparison.Ordinal));
        Assert.Contains(mails, m => Subject(m).StartsWith("【アカウント登録についてのお知らせ】", StringComparison.Ordinal));
        var account = await _app.Services.GetRequiredService<AccountStore>().FindByEmailAsync(email, CancellationToken.None);
        var won = Assert.Single(await _app.Services.GetRequiredService<CustomerSites>().GatewayIdsOfAsync(account!.UserId, CancellationToken.None));
        Assert.Equal(account.UserId, (await _app.Services.GetRequiredService<GatewayClaims>().FindAsync(won, CancellationToken.None))!.OwnerUserId);
        var lost = won == gatewayA ? gatewayB : gatewayA;
        Assert.Equal(HttpStatusCode.OK, (await ActivateAsync(_app, TokenIn(mails.Single(m => Subject(m).StartsWith("【アカウント仮登録のお知らせ】", StringComparison.Ordinal))))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await AddGatewayAfterLoginAsync(email, lost)).StatusCode);
    }

    [Fact]
    public async Task A_gateway_registered_with_an_address_that_has_an_account_stays_held_like_any_and_that_account_adds_it_after_logging_in()
    {
        var (existing, password) = await TestAccounts.CreateActiveAsync(_app);
        var gatewayId = await ImportGatewayAsync(_app);

        Assert.Equal(HttpStatusCode.Accepted, (await RegisterAsync(_app, Body(existing.Email, gatewayId))).StatusCode);
        await WaitForMailsAsync(_app, existing.Email);
        var verify = await _app.Client.PostAsJsonAsync("/api/gateways/verify", new { id = gatewayId, password = GatewayPassword });
        var added = await AddGatewayAfterLoginAsync(existing.Email, gatewayId, password);

        Assert.Equal(HttpStatusCode.Conflict, verify.StatusCode);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var claim = await _app.Services.GetRequiredService<GatewayClaims>().FindAsync(gatewayId, CancellationToken.None);
        Assert.Equal((existing.UserId, ClaimStatus.Active), (claim!.OwnerUserId, claim.Status));
    }

    [Fact]
    public async Task An_address_that_already_has_an_account_gets_a_notice_instead_of_a_link_and_the_same_answer()
    {
        var (existing, _) = await TestAccounts.CreateActiveAsync(_app);
        var fresh = UniqueEmail();

        var forExisting = await RegisterAsync(_app, Body(existing.Email, await ImportGatewayAsync(_app)));
        var forFresh = await RegisterAsync(_app, Body(fresh, await ImportGatewayAsync(_app)));

        Assert.Equal(forFresh.StatusCode, forExisting.StatusCode);
        Assert.Equal(
            ErrorPaths(await ProblemAsync(forFresh)).Concat((await ProblemAsync(forFresh)).EnumerateObject().Select(p => p.Name)),
            ErrorPaths(await ProblemAsync(forExisting)).Concat((await ProblemAsync(forExisting)).EnumerateObject().Select(p => p.Name)));
        await WaitForMailsAsync(_app, fresh);
        var notice = Assert.Single(await WaitForMailsAsync(_app, existing.Email));
        Assert.Equal("【アカウント登録についてのお知らせ】遠隔モニタリングサービス", Subject(notice));
        Assert.DoesNotContain("/activate#", notice.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Registering_again_while_provisional_sends_a_fresh_link_and_retires_the_old_one()
    {
        var gatewayId = await ImportGatewayAsync(_app);
        var email = UniqueEmail();
        var first = await RegisterAndGetTokenAsync(_app, email, gatewayId);

        Assert.Equal(HttpStatusCode.Accepted, (await RegisterAsync(_app, Body(email, gatewayId))).StatusCode);

        var mails = await WaitForMailsAsync(_app, email, count: 2);
        var second = mails.Select(TokenIn).Single(t => t != first);
        Assert.Equal(HttpStatusCode.Gone, (await _app.Client.GetAsync("/api/activations/" + first)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ActivateAsync(_app, second)).StatusCode);
    }

    [Fact]
    public async Task An_expired_link_is_gone_and_a_new_one_can_be_requested()
    {
        var email = UniqueEmail();
        var token = await RegisterAndGetTokenAsync(_app, email, await ImportGatewayAsync(_app));
        _clock.Advance(TimeSpan.FromHours(73));

        Assert.Equal(HttpStatusCode.Gone, (await _app.Client.GetAsync("/api/activations/" + token)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await ActivateAsync(_app, token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Client.GetAsync("/api/activations/not-a-token")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Client.GetAsync("/api/activations/" + SecureToken.Create())).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await _app.Client.PostAsJsonAsync("/api/activations", new { email = email.ToUpperInvariant() })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _app.Client.PostAsJsonAsync("/api/activations", new { email = UniqueEmail() })).StatusCode);

        var fresh = (await WaitForMailsAsync(_app, email, count: 2)).Select(TokenIn).Single(t => t != token);
        Assert.Equal(HttpStatusCode.OK, (await ActivateAsync(_app, fresh)).StatusCode);
    }

    [Fact]
    public async Task Activation_checks_the_password_rule_the_confirmation_and_the_registered_phone_and_limits_phone_guesses()
    {
        var token = await RegisterAndGetTokenAsync(_app, UniqueEmail(), await ImportGatewayAsync(_app));

        foreach (var weak in new[] { "short1A", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere", "Toolongpassword123", "Pass word1" })
        {
            var response = await ActivateAsync(_app, token, password: weak);
            Assert.Equal(["password"], ErrorPaths(await ProblemAsync(response)));
        }

        var mismatch = await _app.Client.PostAsJsonAsync("/api/activations/" + token,
            new { termsVersion = "2026-01", password = "Passw0rdKp", passwordConfirm = "Passw0rdKq", phone = Phone });
        Assert.Equal(["passwordConfirm"], ErrorPaths(await ProblemAsync(mismatch)));

        HttpResponseMessage wrongPhone;
        var attempts = 0;
        do
        {
            wrongPhone = await ActivateAsync(_app, token, phone: "090-0000-0000");
            attempts++;
            if (wrongPhone.StatusCode == HttpStatusCode.BadRequest)
            {
                Assert.Equal(["phone"], ErrorPaths(await ProblemAsync(wrongPhone)));
            }
        }
        while (wrongPhone.StatusCode == HttpStatusCode.BadRequest && attempts <= AccountActivation.PhoneGuesses.Limit);

        Assert.Equal(HttpStatusCode.TooManyRequests, wrongPhone.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await ActivateAsync(_app, token)).StatusCode);
    }

    [Fact]
    public async Task The_expiry_timer_releases_the_gateway_of_a_registration_never_activated()
    {
        var gatewayId = await ImportGatewayAsync(_app);
        var email = UniqueEmail();
        await RegisterAndGetTokenAsync(_app, email, gatewayId);
        var verify = () => _app.Client.PostAsJsonAsync("/api/gateways/verify", new { id = gatewayId, password = GatewayPassword });
        Assert.Equal(HttpStatusCode.Conflict, (await verify()).StatusCode);

        _clock.Advance(TimeSpan.FromHours(74));
        var run = await _app.InvokeAsync(ReleaseExpiredRegistrationsFunction.Name, """{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""");

        Assert.Equal(InvocationOutcome.Succeeded, run.Outcome);
        Assert.Null(await _app.Services.GetRequiredService<GatewayClaims>().FindAsync(gatewayId, CancellationToken.None));
        Assert.Null(await _app.Services.GetRequiredService<AccountStore>().FindByEmailAsync(email, CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, (await verify()).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await RegisterAsync(_app, Body(UniqueEmail(), gatewayId))).StatusCode);
    }

    [Fact]
    public async Task The_first_admin_address_registers_as_an_admin()
    {
        var email = UniqueEmail();
        await using var app = await TestApp.StartAsync(_storage, settings: new Dictionary<string, string> { ["Admin:FirstAdminEmail"] = email.ToUpperInvariant() });

        Assert.Equal(HttpStatusCode.Accepted, (await RegisterAsync(app, Body(email, await ImportGatewayAsync(app)))).StatusCode);
        // Both apps poll the one outbox queue of the shared Azurite, so the mail lands in either mailbox.
        var mail = await Eventually.ReturnsAsync(
            async () => (await MailsToAsync(app, email)).Concat(await MailsToAsync(_app, email)).ToList(), mails => mails.Count > 0, what: "the activation mail");
        Assert.Equal(HttpStatusCode.OK, (await ActivateAsync(app, TokenIn(mail[0]))).StatusCode);

        var account = await app.Services.GetRequiredService<AccountStore>().FindByEmailAsync(email, CancellationToken.None);
        Assert.Equal(AccountRole.Admin, account!.Role);
    }

    /// <summary>POST /api/gateways as the account's owner, signed in from a client of its own.</summary>
    private async Task<HttpResponseMessage> AddGatewayAfterLoginAsync(string email, string gatewayId, string password = "Passw0rdKp")
    {
        using var client = TestAccounts.NewClient(_app);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestAccounts.LoginAsync(client, email, password));
        return await client.PostAsJsonAsync("/api/gateways", new { gateway = new { id = gatewayId, password = GatewayPassword }, site = GatewayTestClient.Site });
    }

    private static void Set(JsonObject body, string path, string? value)
    {
        var names = path.Split('.');
        var parent = names[..^1].Aggregate(body, (node, name) => (JsonObject)node[name]!);
        parent[names[^1]] = value;
    }

    private static string FullWidth(string ascii) => string.Concat(ascii.Select(c => c is >= '!' and <= '~' ? (char)(c - '!' + '！') : c));
}
