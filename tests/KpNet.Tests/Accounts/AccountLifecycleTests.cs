using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Tests.Infrastructure;
using static KpNet.Tests.Registration.RegistrationClient;

namespace KpNet.Tests.Accounts;

/// <summary>The whole life of a customer account, as one user lives it, across registration, sessions and logout.</summary>
public sealed class AccountLifecycleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Register_then_mail_then_activate_then_login_then_me_then_logout_and_the_token_is_refused()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var gatewayId = await ImportGatewayAsync(app);
        var email = $"lifecycle-{Guid.NewGuid():N}@example.jp";

        var token = await RegisterAndGetTokenAsync(app, email, gatewayId);
        Assert.Equal(HttpStatusCode.OK, (await ActivateAsync(app, token, password: "Kpnet2026ok")).StatusCode);

        var login = await app.Client.PostAsJsonAsync("/api/sessions", new { email = email.ToUpperInvariant(), password = "Kpnet2026ok" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        using var session = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        var bearer = session.RootElement.GetProperty("token").GetString()!;
        Assert.Equal("customer", session.RootElement.GetProperty("user").GetProperty("role").GetString());

        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        var profile = await app.Client.SendAsync(me);
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        using var profileJson = JsonDocument.Parse(await profile.Content.ReadAsStringAsync());
        Assert.Equal(email, profileJson.RootElement.GetProperty("email").GetString());
        Assert.Equal("御室", profileJson.RootElement.GetProperty("name").GetProperty("family").GetString());

        using var logout = new HttpRequestMessage(HttpMethod.Delete, "/api/sessions/current");
        logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Client.SendAsync(logout)).StatusCode);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        again.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        var refused = await app.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
    }
}
