using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Tests.Accounts;
using KpNet.Tests.Registration;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Operators;

/// <summary>The operator's support actions: each needs a reason and ends up, with it, in the customer's audit log.</summary>
public sealed class OperatorSupportTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Reason = "お客様からのお電話でのご依頼";

    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_new_activation_link_goes_to_a_provisional_account_with_the_reason_logged_and_never_to_an_active_one()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var email = TestAccounts.UniqueEmail("provisional");
        var gateway = await RegistrationClient.ImportGatewayAsync(_app);
        await RegistrationClient.RegisterAndGetTokenAsync(_app, email, gateway);
        var userId = (await GetJsonAsync(operatorCaller.Client, "/api/operator/gateways/" + gateway)).GetProperty("owner").GetProperty("userId").GetString()!;

        using var withoutReason = await operatorCaller.Client.PostAsJsonAsync($"/api/operator/accounts/{userId}/activation-link", new { reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, withoutReason.StatusCode);
        Assert.Equal("入力してください。", (await JsonAsync(withoutReason)).GetProperty("errors").GetProperty("reason")[0].GetString());
        using var sent = await operatorCaller.Client.PostAsJsonAsync($"/api/operator/accounts/{userId}/activation-link", new { reason = Reason });

        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var mails = await RegistrationClient.WaitForMailsAsync(_app, email, count: 2);
        using var activated = await RegistrationClient.ActivateAsync(_app, RegistrationClient.TokenIn(mails[^1]));
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        var logged = Assert.Single(await ActionsAsync(operatorCaller, userId));
        Assert.Equal(("activation-link-sent", Reason), (logged.GetProperty("action").GetString(), logged.GetProperty("reason").GetString()));

        using var active = await operatorCaller.Client.PostAsJsonAsync($"/api/operator/accounts/{userId}/activation-link", new { reason = Reason });
        Assert.Equal(HttpStatusCode.Conflict, active.StatusCode);
        Assert.Equal("このアカウントは仮登録ではないため、本登録用URLは送れません。", (await JsonAsync(active)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Releasing_a_provisional_claim_frees_the_gateway_but_an_active_claim_cannot_be_released()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var gateway = await RegistrationClient.ImportGatewayAsync(_app);
        await RegistrationClient.RegisterAndGetTokenAsync(_app, TestAccounts.UniqueEmail("released"), gateway);
        var userId = (await GetJsonAsync(operatorCaller.Client, "/api/operator/gateways/" + gateway)).GetProperty("owner").GetProperty("userId").GetString()!;
        using var customer = await SignInAsync(_app);
        var owned = await AddGatewayAsync(_app, customer);

        using var released = await operatorCaller.Client.PostAsJsonAsync($"/api/operator/gateways/{gateway}/release", new { reason = Reason });
        using var refused = await operatorCaller.Client.PostAsJsonAsync($"/api/operator/gateways/{owned}/release", new { reason = Reason });

        Assert.Equal(HttpStatusCode.NoContent, released.StatusCode);
        Assert.Equal("free", (await GetJsonAsync(operatorCaller.Client, "/api/operator/gateways/" + gateway)).GetProperty("claim").GetProperty("status").GetString());
        Assert.Equal("claim-released", Assert.Single(await ActionsAsync(operatorCaller, userId)).GetProperty("action").GetString());
        using var again = await RegistrationClient.RegisterAsync(_app, RegistrationClient.Body(TestAccounts.UniqueEmail("second"), gateway));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("active", (await GetJsonAsync(operatorCaller.Client, "/api/operator/gateways/" + owned)).GetProperty("claim").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Unlinking_a_dealer_for_the_customer_ends_the_dealers_access_and_records_who_and_why()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        using var customer = await SignInAsync(_app);
        var gateway = await AddGatewayAsync(_app, customer);
        var (dealer, dealerId, phone) = await SignUpDealerAsync(_app);
        using var dealerCaller = dealer;
        (await LinkAsync(customer, gateway, dealerId, phone)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await dealer.Client.GetAsync("/api/dealer/gateways/" + gateway)).StatusCode);

        using var unlinked = await operatorCaller.Client.PostAsJsonAsync($"/api/operator/gateways/{gateway}/dealers/{dealerId}/unlink", new { reason = Reason });
        using var twice = await operatorCaller.Client.PostAsJsonAsync($"/api/operator/gateways/{gateway}/dealers/{dealerId}/unlink", new { reason = Reason });

        Assert.Equal(HttpStatusCode.NoContent, unlinked.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await dealer.Client.GetAsync("/api/dealer/gateways/" + gateway)).StatusCode);
        var view = await GetJsonAsync(operatorCaller.Client, "/api/operator/gateways/" + gateway);
        Assert.Empty(view.GetProperty("links").EnumerateArray());
        var latest = view.GetProperty("history")[0];
        Assert.Equal(("DealerUnlinked", operatorCaller.Account.UserId), (latest.GetProperty("kind").GetString(), latest.GetProperty("actorUserId").GetString()));
        var logged = Assert.Single(await ActionsAsync(operatorCaller, customer.Account.UserId));
        Assert.Equal(("dealer-unlinked", dealerId, Reason), (logged.GetProperty("action").GetString(), logged.GetProperty("dealerId").GetInt32(), logged.GetProperty("reason").GetString()));
        var seenByCustomer = (await GetJsonAsync(customer.Client, "/api/me/audit-log")).EnumerateArray().Single(e => e.TryGetProperty("action", out _));
        Assert.False(seenByCustomer.TryGetProperty("reason", out _));
    }

    [Fact]
    public async Task A_locked_account_loses_its_sessions_and_cannot_log_in_until_unlocked_and_an_operator_cannot_lock_themselves()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var (account, password) = await TestAccounts.CreateActiveAsync(_app);
        using var client = TestAccounts.NewClient(_app);
        client.DefaultRequestHeaders.Authorization = new("Bearer", await TestAccounts.LoginAsync(client, account.Email, password));

        using var locked = await operatorCaller.Client.PostAsJsonAsync($"/api/operator/accounts/{account.UserId}/lock", new { reason = Reason });
        Assert.Equal(HttpStatusCode.NoContent, locked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
        using var login = await client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        Assert.Equal("このアカウントは現在ご利用いただけません。お問い合わせ窓口までご連絡ください。", (await JsonAsync(login)).GetProperty("title").GetString());

        using var unlocked = await operatorCaller.Client.PostAsJsonAsync($"/api/operator/accounts/{account.UserId}/unlock", new { reason = "ご本人確認済み" });
        Assert.Equal(HttpStatusCode.NoContent, unlocked.StatusCode);
        await TestAccounts.LoginAsync(client, account.Email, password);
        Assert.Equal(["account-unlocked", "account-locked"], (await ActionsAsync(operatorCaller, account.UserId)).Select(e => e.GetProperty("action").GetString()!));

        using var keyBreaking = await operatorCaller.Client.PostAsJsonAsync("/api/operator/accounts/a%2Fb%23c/lock", new { reason = Reason });
        Assert.Equal(HttpStatusCode.NotFound, keyBreaking.StatusCode);
        using var self = await operatorCaller.Client.PostAsJsonAsync($"/api/operator/accounts/{operatorCaller.Account.UserId}/lock", new { reason = Reason });
        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await operatorCaller.Client.GetAsync("/api/me")).StatusCode);
    }

    private static async Task<List<JsonElement>> ActionsAsync(Caller operatorCaller, string userId) =>
        (await GetJsonAsync(operatorCaller.Client, "/api/operator/audit-log?userId=" + userId)).EnumerateArray()
            .Where(e => e.TryGetProperty("action", out _)).ToList();
}
