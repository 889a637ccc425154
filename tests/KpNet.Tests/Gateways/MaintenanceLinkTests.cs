using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using KpNet.Accounts.Dealers;
using KpNet.Observability;
using KpNet.Tests.Accounts;
using KpNet.Tests.Registration;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Gateways;

public sealed class MaintenanceLinkTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string LinkedSubject = "【保守を任せる販売店様登録のお知らせ】遠隔モニタリングサービス";
    private const string UnlinkedSubject = "【保守を任せる販売店様登録解除のお知らせ】遠隔モニタリングサービス";
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_customer_previews_links_and_unlinks_a_dealer_whose_access_and_audited_views_follow_the_link()
    {
        using var customer = await SignInAsync(_app);
        var gatewayId = await AddGatewayAsync(_app, customer);
        var (dealer, dealerId, phone) = await SignUpDealerAsync(_app, "京都電設");
        using var signedIn = dealer;

        using var wrong = await customer.Client.PostAsJsonAsync($"/api/gateways/{gatewayId}/dealers/preview", new { dealerId, phone = "0900000000" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(["dealerId", "phone"], RegistrationClient.ErrorPaths(await JsonAsync(wrong)));

        using var preview = await customer.Client.PostAsJsonAsync($"/api/gateways/{gatewayId}/dealers/preview", new { dealerId = dealerId.ToString(System.Globalization.CultureInfo.InvariantCulture), phone });
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var previewed = await JsonAsync(preview);
        Assert.Equal("京都電設", previewed.GetProperty("dealer").GetProperty("name").GetString());
        Assert.Equal(0, previewed.GetProperty("currentDealers").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await dealer.Client.GetAsync("/api/dealer/gateways/" + gatewayId)).StatusCode);

        using (var linked = await LinkAsync(customer, gatewayId, dealerId, phone))
        {
            Assert.Equal(HttpStatusCode.Created, linked.StatusCode);
        }

        using (var twice = await LinkAsync(customer, gatewayId, dealerId, phone))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        }

        await DevMailWaitAsync(customer.Account.Email, LinkedSubject);
        await DevMailWaitAsync(dealer.Account.Email, LinkedSubject);
        Assert.Equal(1, (await GetJsonAsync(customer.Client, "/api/gateways")).GetProperty("items")[0].GetProperty("dealerCount").GetInt32());
        Assert.Equal(dealerId, (await GetJsonAsync(customer.Client, "/api/gateways/" + gatewayId)).GetProperty("dealers")[0].GetProperty("dealerId").GetInt32());

        var list = await GetJsonAsync(dealer.Client, "/api/dealer/gateways");
        Assert.Equal(gatewayId, list.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal(0, list.GetProperty("items")[0].GetProperty("alerts").GetProperty("faultCount").GetInt32());
        var detail = await GetJsonAsync(dealer.Client, "/api/dealer/gateways/" + gatewayId);
        var registered = detail.GetProperty("customer");
        Assert.Equal(customer.Account.Email, registered.GetProperty("email").GetString());
        Assert.Equal("御室", registered.GetProperty("name").GetProperty("family").GetString());
        Assert.Equal(TestAccounts.DefaultPhone, registered.GetProperty("phone").GetString());

        var audit = await GetJsonAsync(customer.Client, "/api/me/audit-log");
        Assert.Equal(2, audit.GetArrayLength());
        Assert.Equal(dealerId, audit[0].GetProperty("dealerId").GetInt32());
        Assert.Equal("京都電設", audit[0].GetProperty("dealerName").GetString());
        Assert.Equal(gatewayId, audit[0].GetProperty("gatewayId").GetString());
        Assert.Contains("phone", audit[0].GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
        Assert.False(audit[0].TryGetProperty("viewerUserId", out _));
        using var operatorCaller = await SignInAsync(_app, KpNet.Accounts.AccountRole.Admin);
        var operatorView = await GetJsonAsync(operatorCaller.Client, "/api/operator/audit-log?userId=" + customer.Account.UserId);
        Assert.Equal(dealer.Account.UserId, operatorView[0].GetProperty("viewerUserId").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await customer.Client.DeleteAsync($"/api/gateways/{gatewayId}/dealers/{dealerId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await dealer.Client.GetAsync("/api/dealer/gateways/" + gatewayId)).StatusCode);
        Assert.Equal(0, (await GetJsonAsync(dealer.Client, "/api/dealer/gateways")).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await customer.Client.DeleteAsync($"/api/gateways/{gatewayId}/dealers/{dealerId}")).StatusCode);
        await DevMailWaitAsync(customer.Account.Email, UnlinkedSubject);
        await DevMailWaitAsync(dealer.Account.Email, UnlinkedSubject);
    }

    [Fact]
    public async Task Twenty_concurrent_links_to_one_gateway_end_with_exactly_five_dealers()
    {
        using var customer = await SignInAsync(_app);
        var gatewayId = await AddGatewayAsync(_app, customer);
        var dealers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => InsertDealerAsync()));

        var responses = await Task.WhenAll(dealers.Select(d => LinkAsync(customer, gatewayId, d.DealerId, d.Phone)));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(15, statuses.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal(5, (await GetJsonAsync(customer.Client, "/api/gateways")).GetProperty("items")[0].GetProperty("dealerCount").GetInt32());
        Assert.Equal(5, (await GetJsonAsync(customer.Client, "/api/gateways/" + gatewayId)).GetProperty("dealers").GetArrayLength());
    }

    [Fact]
    public async Task Guessing_dealer_id_and_phone_pairs_is_throttled_with_retry_after()
    {
        using var customer = await SignInAsync(_app);
        var gatewayId = await AddGatewayAsync(_app, customer);
        using var failures = new MetricCollector<long>(_app.Services.GetRequiredService<IMeterFactory>(), KpNetMetrics.MeterName, "kpnet.auth.failures");
        HttpStatusCode last = default;
        for (var guess = 0; guess < 10; guess++)
        {
            using var response = await customer.Client.PostAsJsonAsync($"/api/gateways/{gatewayId}/dealers/preview", new { dealerId = 999_000 + guess, phone = "0900000000" });
            last = response.StatusCode;
            if (last == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
                break;
            }

            Assert.Equal(HttpStatusCode.BadRequest, last);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last);
        var counted = failures.GetMeasurementSnapshot();
        Assert.All(counted, m => Assert.Equal("dealer_link", m.Tags["kind"]));
        Assert.Equal(true, counted[^1].Tags["blocked"]);
        Assert.All(counted.Take(counted.Count - 1), m => Assert.Equal(false, m.Tags["blocked"]));
    }

    [Fact]
    public async Task Replacement_carries_the_dealer_links_and_disposal_ends_them_with_a_mail()
    {
        using var customer = await SignInAsync(_app);
        var old = await AddGatewayAsync(_app, customer);
        var (dealer, dealerId, phone) = await SignUpDealerAsync(_app);
        using var signedIn = dealer;
        (await LinkAsync(customer, old, dealerId, phone)).Dispose();

        var replacement = await RegistrationClient.ImportGatewayAsync(_app);
        using (var replaced = await customer.Client.PostAsJsonAsync($"/api/gateways/{old}/replacement", new { gateway = new { id = replacement, password = RegistrationClient.GatewayPassword } }))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await dealer.Client.GetAsync("/api/dealer/gateways/" + old)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dealer.Client.GetAsync("/api/dealer/gateways/" + replacement)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await customer.Client.DeleteAsync("/api/gateways/" + replacement)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await dealer.Client.GetAsync("/api/dealer/gateways/" + replacement)).StatusCode);
        var mail = await DevMailWaitAsync(dealer.Account.Email, UnlinkedSubject);
        Assert.Contains("廃棄", mail);
    }

    private async Task<(int DealerId, string Phone)> InsertDealerAsync()
    {
        var directory = _app.Services.GetRequiredService<DealerDirectory>();
        var userId = Guid.NewGuid().ToString("N");
        var (dealerId, _) = await directory.AssignIdAsync(userId, CancellationToken.None);
        var phone = TestAccounts.UniquePhone();
        await directory.UpsertAsync(new Dealer(dealerId, userId, $"dealer-{userId}@example.jp", "販売店" + dealerId, phone, [], "ja"), CancellationToken.None);
        return (dealerId, phone);
    }

    private async Task<string> DevMailWaitAsync(string to, string subject)
    {
        var mails = await Eventually.ReturnsAsync(() => RegistrationClient.MailsToAsync(_app, to),
            all => all.Any(m => RegistrationClient.Subject(m) == subject), what: $"{subject} to {to}");
        return mails.Last(m => RegistrationClient.Subject(m) == subject).GetProperty("text").GetString()!;
    }
}
