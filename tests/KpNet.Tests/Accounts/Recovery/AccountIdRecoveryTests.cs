using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Observability;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace KpNet.Tests.Accounts.Recovery;

public sealed class AccountIdRecoveryTests : IAsyncLifetime
{
    private const string Subject = "【ユーザIDのお知らせ】遠隔モニタリングサービス";

    private string _storage = "";
    private TestApp _app = null!;
    private HttpClient _client = null!;

    // An account of each test's own: a test waits until every queued mail is handled, so only its own may be queued.
    public async Task InitializeAsync()
    {
        _storage = await AzuriteFixture.LeaseAccountAsync();
        _app = await TestApp.StartAsync(_storage);
        _client = TestAccounts.NewClient(_app);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Name_and_phone_mail_the_user_id_to_the_address_on_file_and_the_answer_never_holds_it()
    {
        var phone = TestAccounts.UniquePhone();
        var (account, _) = await TestAccounts.CreateActiveAsync(_app, phone: phone, name: new PersonName("山田", "太郎"));

        using var response = await _client.PostAsJsonAsync("/api/account-ids/recovery",
            new { name = new { family = " 山田", given = "太郎 " }, phone = ToFullWidth($"{phone[..3]}-{phone[3..7]}-{phone[7..]}") });
        var mail = (await DevMail.WaitForAsync(_app, account.Email, Subject)).Single();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.DoesNotContain(account.Email, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("山田 太郎 様", mail.Text, StringComparison.Ordinal);
        Assert.Contains("ユーザID：" + account.Email, mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_name_an_unknown_phone_or_two_matching_accounts_get_the_same_answer_and_each_matching_account_its_own_mail()
    {
        var phone = TestAccounts.UniquePhone();
        var (account, _) = await TestAccounts.CreateActiveAsync(_app, phone: phone, name: new PersonName("山田", "太郎"));
        var sharedPhone = TestAccounts.UniquePhone();
        var (twin1, _) = await TestAccounts.CreateActiveAsync(_app, phone: sharedPhone, name: new PersonName("佐藤", "一郎"));
        var (twin2, _) = await TestAccounts.CreateActiveAsync(_app, phone: sharedPhone, name: new PersonName("佐藤", "一郎"));
        using var failures = new MetricCollector<long>(_app.Services.GetRequiredService<IMeterFactory>(), KpNetMetrics.MeterName, "kpnet.auth.failures");

        using var wrongName = await RecoverAsync("山田", "次郎", phone);
        using var unknownPhone = await RecoverAsync("山田", "太郎", TestAccounts.UniquePhone());
        using var ambiguous = await RecoverAsync("佐藤", "一郎", sharedPhone);
        using var match = await RecoverAsync("山田", "太郎", phone);
        await DevMail.WaitForAsync(_app, account.Email, Subject);
        var twinMails = new[] { (await DevMail.WaitForAsync(_app, twin1.Email, Subject)).Single(), (await DevMail.WaitForAsync(_app, twin2.Email, Subject)).Single() };
        await DevMail.AllHandledAsync(_storage);

        var body = await match.Content.ReadAsStringAsync();
        Assert.All(new[] { wrongName, unknownPhone, ambiguous, match }, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Equal(body, await wrongName.Content.ReadAsStringAsync());
        Assert.Equal(body, await unknownPhone.Content.ReadAsStringAsync());
        Assert.Equal(body, await ambiguous.Content.ReadAsStringAsync());
        var idMails = (await DevMail.ListAsync(_app)).Where(m => m.Subject == Subject).Select(m => m.To).ToList();
        Assert.Single(idMails, account.Email);
        Assert.Single(idMails, twin1.Email);
        Assert.Single(idMails, twin2.Email);
        Assert.Contains("ユーザID：" + twin1.Email, twinMails[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain(twin2.Email, twinMails[0].Text, StringComparison.Ordinal);
        Assert.Contains("ユーザID：" + twin2.Email, twinMails[1].Text, StringComparison.Ordinal);
        Assert.Equal(["recovery blocked=False", "recovery blocked=False"], failures.GetMeasurementSnapshot().Select(m => $"{m.Tags["kind"]} blocked={m.Tags["blocked"]}"));
    }

    [Fact]
    public async Task Missing_fields_are_errors_in_japanese_and_english()
    {
        using var japanese = await _client.PostAsJsonAsync("/api/account-ids/recovery", new { name = new { family = "山田" } });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/account-ids/recovery") { Content = JsonContent.Create(new { phone = "" }) };
        request.Headers.AcceptLanguage.ParseAdd("en");
        using var english = await _client.SendAsync(request);

        var japaneseErrors = (await japanese.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        var englishErrors = (await english.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(HttpStatusCode.BadRequest, japanese.StatusCode);
        Assert.Equal("name.given phone", string.Join(" ", japaneseErrors.EnumerateObject().Select(p => p.Name).Order()));
        Assert.Equal("入力してください。", japaneseErrors.GetProperty("phone")[0].GetString());
        Assert.Equal("name.family name.given phone", string.Join(" ", englishErrors.EnumerateObject().Select(p => p.Name).Order()));
        Assert.Equal("This field is required.", englishErrors.GetProperty("phone")[0].GetString());
    }

    private Task<HttpResponseMessage> RecoverAsync(string family, string given, string phone) =>
        _client.PostAsJsonAsync("/api/account-ids/recovery", new { name = new { family, given }, phone });

    private static string ToFullWidth(string ascii) => string.Concat(ascii.Select(c => c == '-' ? '－' : (char)(c - '0' + '０')));
}
