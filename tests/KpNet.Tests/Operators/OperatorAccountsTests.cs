using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Tests.Accounts;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Operators;

/// <summary>Operators made by an operator: an active customer account gains the role at once, and loses it the same way.</summary>
public sealed class OperatorAccountsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_customer_made_an_operator_uses_the_console_at_once_until_the_role_is_taken_away()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        using var colleague = await SignInAsync(_app);
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.Client.GetAsync("/api/operator/notices")).StatusCode);

        using var granted = await operatorCaller.Client.PostAsJsonAsync("/api/operator/operators", new { email = colleague.Account.Email.ToUpperInvariant(), reason = "運営チームに異動" });

        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await colleague.Client.GetAsync("/api/operator/notices")).StatusCode);
        var listed = (await GetJsonAsync(operatorCaller.Client, "/api/operator/operators")).EnumerateArray().Single(o => o.GetProperty("userId").GetString() == colleague.Account.UserId);
        Assert.Equal((operatorCaller.Account.UserId, false), (listed.GetProperty("grantedBy").GetString(), listed.GetProperty("first").GetBoolean()));

        using var ownRevoke = await colleague.Client.PostAsJsonAsync($"/api/operator/operators/{colleague.Account.UserId}/revoke", new { reason = "テスト" });
        Assert.Equal(HttpStatusCode.Conflict, ownRevoke.StatusCode);
        using var revoked = await operatorCaller.Client.PostAsJsonAsync($"/api/operator/operators/{colleague.Account.UserId}/revoke", new { reason = "異動のため" });
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.Client.GetAsync("/api/operator/notices")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await colleague.Client.GetAsync("/api/gateways")).StatusCode);
        Assert.DoesNotContain((await GetJsonAsync(operatorCaller.Client, "/api/operator/operators")).EnumerateArray(), o => o.GetProperty("userId").GetString() == colleague.Account.UserId);
        var actions = (await GetJsonAsync(operatorCaller.Client, "/api/operator/audit-log?userId=" + colleague.Account.UserId)).EnumerateArray()
            .Select(e => (e.GetProperty("action").GetString(), e.GetProperty("reason").GetString()));
        Assert.Equal([("operator-revoked", "異動のため"), ("operator-granted", "運営チームに異動")], actions);
    }

    [Fact]
    public async Task Only_an_active_customer_account_can_be_made_an_operator_and_a_reason_is_required()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var (dealer, _, _) = await SignUpDealerAsync(_app);
        using var dealerCaller = dealer;
        var provisional = await TestAccounts.CreateProvisionalAsync(_app);

        async Task<(HttpStatusCode, JsonElement)> GrantAsync(object body)
        {
            using var response = await operatorCaller.Client.PostAsJsonAsync("/api/operator/operators", body);
            return (response.StatusCode, await JsonAsync(response));
        }

        var (dealerStatus, dealerProblem) = await GrantAsync(new { email = dealer.Account.Email, reason = "依頼" });
        Assert.Equal((HttpStatusCode.Conflict, "運営にできるのは、本登録済みのお客様アカウントだけです。"), (dealerStatus, dealerProblem.GetProperty("title").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await GrantAsync(new { email = provisional.Email, reason = "依頼" })).Item1);
        Assert.Equal(HttpStatusCode.NotFound, (await GrantAsync(new { email = TestAccounts.UniqueEmail(), reason = "依頼" })).Item1);
        var (status, problem) = await GrantAsync(new { email = "not-an-address" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["email", "reason"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(AccountRole.Dealer, (await _app.Services.GetRequiredService<AccountStore>().FindByEmailAsync(dealer.Account.Email, CancellationToken.None))!.Role);
    }
}
