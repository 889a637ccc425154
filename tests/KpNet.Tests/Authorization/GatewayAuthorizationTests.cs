using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Tests.Accounts;
using KpNet.Tests.Infrastructure;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Authorization;

/// <summary>
/// Every gateway, dealer and profile (登録情報の変更) endpoint, walked as each kind of caller, with the exact status each must get; and for the
/// callers who must not see a gateway, the same answer as for a gateway that does not exist.
/// </summary>
public sealed class GatewayAuthorizationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const HttpStatusCode Ok = HttpStatusCode.OK;
    private const HttpStatusCode NoContent = HttpStatusCode.NoContent;
    private const HttpStatusCode Invalid = HttpStatusCode.BadRequest;
    private const HttpStatusCode Login = HttpStatusCode.Unauthorized;
    private const HttpStatusCode Forbidden = HttpStatusCode.Forbidden;
    private const HttpStatusCode Missing = HttpStatusCode.NotFound;
    private const HttpStatusCode Gone = HttpStatusCode.Gone;

    /// <summary>The callers, in the order of each row's expected statuses.</summary>
    private enum Who
    {
        Owner,
        OtherCustomer,
        LinkedDealer,
        FormerDealer,
        UnrelatedDealer,
        Anonymous,
        Operator,
    }

    private sealed record Row(string Method, string Path, string? Json, HttpStatusCode[] Expected, string ContentType = "application/json");

    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Every_gateway_dealer_and_profile_endpoint_answers_each_caller_exactly_and_never_reveals_another_customers_gateway()
    {
        using var owner = await SignInAsync(_app);
        using var otherCustomer = await SignInAsync(_app);
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var gateway = await AddGatewayAsync(_app, owner);
        var (linked, linkedId, linkedPhone) = await SignUpDealerAsync(_app);
        var (former, formerId, formerPhone) = await SignUpDealerAsync(_app);
        var (unrelated, unrelatedId, _) = await SignUpDealerAsync(_app);
        using var anonymous = TestAccounts.NewClient(_app);
        (await LinkAsync(owner, gateway, linkedId, linkedPhone)).Dispose();
        (await LinkAsync(owner, gateway, formerId, formerPhone)).Dispose();
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/gateways/{gateway}/dealers/{formerId}")).StatusCode);
        var callers = new Dictionary<Who, HttpClient>
        {
            [Who.Owner] = owner.Client,
            [Who.OtherCustomer] = otherCustomer.Client,
            [Who.LinkedDealer] = linked.Client,
            [Who.FormerDealer] = former.Client,
            [Who.UnrelatedDealer] = unrelated.Client,
            [Who.Anonymous] = anonymous,
            [Who.Operator] = operatorCaller.Client,
        };

        // Owner-side bodies are deliberately incomplete: a 400 proves the request got past authorisation without changing anything.
        var g = "/api/gateways/" + gateway;
        Row[] rows =
        [
            //                                                                            owner      other      linked     former     unrelated  anonymous  operator
            new("GET", "/api/gateways", null, [Ok, Ok, Forbidden, Forbidden, Forbidden, Login, Ok]),
            new("POST", "/api/gateways", "{}", [Invalid, Invalid, Forbidden, Forbidden, Forbidden, Login, Invalid]),
            new("GET", g, null, [Ok, Missing, Forbidden, Forbidden, Forbidden, Login, Missing]),
            new("PATCH", g, "{}", [Invalid, Missing, Forbidden, Forbidden, Forbidden, Login, Missing]),
            new("POST", g + "/replacement", "{}", [Invalid, Missing, Forbidden, Forbidden, Forbidden, Login, Missing]),
            new("POST", g + "/dealers/preview", "{}", [Invalid, Missing, Forbidden, Forbidden, Forbidden, Login, Missing]),
            new("POST", g + "/dealers", "{}", [Invalid, Missing, Forbidden, Forbidden, Forbidden, Login, Missing]),
            new("DELETE", g + "/dealers/" + unrelatedId, null, [Missing, Missing, Forbidden, Forbidden, Forbidden, Login, Missing]),
            new("GET", "/api/dealer/gateways", null, [Forbidden, Forbidden, Ok, Ok, Ok, Login, Forbidden]),
            new("GET", "/api/dealer/gateways/" + gateway, null, [Forbidden, Forbidden, Ok, Missing, Missing, Login, Forbidden]),
            new("GET", $"/api/dealer/gateways/{gateway}/site", null, [Forbidden, Forbidden, Ok, Missing, Missing, Login, Forbidden]),
            new("PUT", "/api/dealer/staff-emails", "{}", [Forbidden, Forbidden, Invalid, Invalid, Invalid, Login, Forbidden]),
            new("GET", "/api/me/audit-log", null, [Ok, Ok, Forbidden, Forbidden, Forbidden, Login, Ok]),
            new("PUT", "/api/me/profile", "{}", [Invalid, Invalid, Forbidden, Forbidden, Forbidden, Login, Invalid]),
            new("POST", "/api/me/email-change", "{}", [Invalid, Invalid, Forbidden, Forbidden, Forbidden, Login, Invalid]),
            new("PUT", "/api/me/password", "{}", [Invalid, Invalid, Forbidden, Forbidden, Forbidden, Login, Invalid]),
            new("POST", "/api/email-changes/" + new string('a', 43), null, [Gone, Gone, Gone, Gone, Gone, Gone, Gone]),
            new("GET", "/api/operator/audit-log?userId=" + owner.Account.UserId, null, [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Ok]),
            new("GET", "/api/operator/audit-log/export?userId=" + owner.Account.UserId, null, [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Ok]),
            new("GET", "/api/operator/gateways/" + gateway, null, [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Ok]),
            new("POST", "/api/operator/gateway-inventory", "id,password,model,serial,product\n", [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Ok], "text/csv"),
            new("POST", "/api/operator/gateway-inventory/dry-run", "id,password,model,serial,product\n", [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Ok], "text/csv"),
            new("GET", "/api/operator/gateway-search?q=" + gateway, null, [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Ok]),
            new("POST", $"/api/operator/accounts/{owner.Account.UserId}/activation-link", "{}", [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Invalid]),
            new("POST", $"/api/operator/accounts/{owner.Account.UserId}/lock", "{}", [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Invalid]),
            new("POST", $"/api/operator/accounts/{owner.Account.UserId}/unlock", "{}", [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Invalid]),
            new("POST", "/api/operator" + g[4..] + "/release", "{}", [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Invalid]),
            new("POST", $"/api/operator{g[4..]}/dealers/{linkedId}/unlink", "{}", [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Invalid]),
            new("GET", "/api/operator/operators", null, [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Ok]),
            new("GET", "/api/operator/queues", null, [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Ok]),
            new("GET", "/api/operator/queues/email-outbox-poison/messages", null, [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Ok]),
            new("POST", "/api/operator/queues/email-outbox-poison/messages/none/requeue", null, [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Missing]),
            new("POST", "/api/operator/queues/email-outbox-poison/messages/none/handled", null, [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Missing]),
            new("GET", "/api/operator/dead-letters?reason=OutOfRange", null, [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Ok]),
            new("POST", "/api/operator/dead-letters/20260101/" + new string('a', 64) + "/handled", null, [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Missing]),
            new("POST", "/api/operator/operators", "{}", [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Invalid]),
            new("POST", $"/api/operator/operators/{owner.Account.UserId}/revoke", "{}", [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Login, Invalid]),
            new("DELETE", g, null, [NoContent, Missing, Forbidden, Forbidden, Forbidden, Login, Missing]),
        ];

        var failures = new List<string>();
        foreach (var row in rows)
        {
            // The owner goes last, so that its disposal (the last row) is the only change the walk makes.
            foreach (var who in Enum.GetValues<Who>().OrderBy(w => w == Who.Owner))
            {
                using var response = await SendAsync(callers[who], row, row.Path);
                if (response.StatusCode != row.Expected[(int)who])
                {
                    failures.Add($"{row.Method} {row.Path} as {who}: {(int)response.StatusCode}, expected {(int)row.Expected[(int)who]}");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task Another_customers_gateway_answers_exactly_like_a_gateway_that_does_not_exist()
    {
        using var owner = await SignInAsync(_app);
        using var stranger = await SignInAsync(_app);
        var (unrelated, _, _) = await SignUpDealerAsync(_app);
        using var dealer = unrelated;
        var gateway = await AddGatewayAsync(_app, owner);
        var nowhere = "NX" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        Row[] probes =
        [
            new("GET", "/api/gateways/{0}", null, []),
            new("PATCH", "/api/gateways/{0}", """{"site":{"name":"x","postalCode":"600-8530","prefecture":"京都府","city":"京都市","street":"1"}}""", []),
            new("POST", "/api/gateways/{0}/replacement", """{"gateway":{"id":"RPA0010011BT","password":"abcdefghijk12"}}""", []),
            new("DELETE", "/api/gateways/{0}", null, []),
            new("POST", "/api/gateways/{0}/dealers/preview", """{"dealerId":4001,"phone":"090-0000-4001"}""", []),
            new("POST", "/api/gateways/{0}/dealers", """{"dealerId":4001,"phone":"090-0000-4001"}""", []),
            new("DELETE", "/api/gateways/{0}/dealers/4001", null, []),
        ];

        foreach (var probe in probes)
        {
            var (hiddenStatus, hiddenBody) = await AnswerAsync(stranger.Client, probe, gateway);
            var (missingStatus, missingBody) = await AnswerAsync(stranger.Client, probe, nowhere);
            Assert.Equal(HttpStatusCode.NotFound, hiddenStatus);
            Assert.Equal((missingStatus, missingBody), (hiddenStatus, hiddenBody));
        }

        foreach (var dealerProbe in new Row[] { new("GET", "/api/dealer/gateways/{0}", null, []), new("GET", "/api/dealer/gateways/{0}/site", null, []) })
        {
            Assert.Equal(await AnswerAsync(dealer.Client, dealerProbe, nowhere), await AnswerAsync(dealer.Client, dealerProbe, gateway));
        }

        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync("/api/gateways/" + gateway)).StatusCode);
    }

    private static async Task<(HttpStatusCode, string)> AnswerAsync(HttpClient client, Row probe, string gatewayId)
    {
        using var response = await SendAsync(client, probe, string.Format(System.Globalization.CultureInfo.InvariantCulture, probe.Path, gatewayId));
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await response.Content.ReadAsStringAsync())!;
        body.Remove("traceId");
        return (response.StatusCode, JsonSerializer.Serialize(body.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary()));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, Row row, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(row.Method), path);
        if (row.Json is not null)
        {
            request.Content = new StringContent(row.Json, Encoding.UTF8, row.ContentType);
        }

        return client.SendAsync(request);
    }
}
