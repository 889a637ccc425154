using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Tests.Accounts;
using KpNet.Tests.Registration;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Gateways;

/// <summary>A signed-in caller of the app: its account and an HttpClient carrying its session (from its own client address).</summary>
public sealed record Caller(Account Account, HttpClient Client) : IDisposable
{
    public void Dispose() => Client.Dispose();
}

/// <summary>What customers, dealers and the operator do over HTTP in the gateway and dealer tests.</summary>
public static class GatewayTestClient
{
    public static readonly object Site = new { name = "XX株式会社 京都発電所", postalCode = "987-6543", prefecture = "京都府", city = "京都市", street = "123-4-5" };

    public static async Task<Caller> SignInAsync(TestApp app, AccountRole role = AccountRole.Customer, string? phone = null, PersonName? name = null)
    {
        var (account, password) = await TestAccounts.CreateActiveAsync(app, role, phone: phone, name: name);
        var client = TestAccounts.NewClient(app);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestAccounts.LoginAsync(client, account.Email, password));
        return new Caller(account, client);
    }

    /// <summary>A fresh gateway in the inventory, added to the customer's account through POST /api/gateways.</summary>
    public static async Task<string> AddGatewayAsync(TestApp app, Caller customer, object? site = null)
    {
        var id = await RegistrationClient.ImportGatewayAsync(app);
        using var response = await customer.Client.PostAsJsonAsync("/api/gateways",
            new { gateway = new { id, password = RegistrationClient.GatewayPassword }, site = site ?? Site });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    /// <summary>A dealer signed up through POST /api/dealers, activated through its mailed link, and signed in.</summary>
    public static async Task<(Caller Caller, int DealerId, string Phone)> SignUpDealerAsync(TestApp app, string? name = null)
    {
        var email = TestAccounts.UniqueEmail("dealer");
        var phone = TestAccounts.UniquePhone();
        using (var signUp = await app.Client.PostAsJsonAsync("/api/dealers", DealerBody(email, phone, name ?? "テスト販売店")))
        {
            Assert.Equal(HttpStatusCode.Accepted, signUp.StatusCode);
        }

        var token = RegistrationClient.TokenIn((await RegistrationClient.WaitForMailsAsync(app, email))[0]);
        using var activated = await RegistrationClient.ActivateAsync(app, token, phone: phone);
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        var dealerId = (await activated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("dealerId").GetInt32();

        var client = TestAccounts.NewClient(app);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestAccounts.LoginAsync(client, email, "Passw0rdKp"));
        var account = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<AccountStore>(app.Services).FindByEmailAsync(email, CancellationToken.None);
        return (new Caller(account!, client), dealerId, phone);
    }

    public static object DealerBody(string email, string phone, string name, string[]? staffEmails = null) => new
    {
        name,
        email,
        emailConfirm = email,
        phone,
        postalCode = "541-0055",
        prefecture = "大阪府",
        city = "大阪市中央区",
        street = "船場中央1-4-5",
        staffEmails = staffEmails ?? ["staff-" + email],
        termsVersion = "2026-01",
    };

    public static async Task<HttpResponseMessage> LinkAsync(Caller customer, string gatewayId, int dealerId, string phone) =>
        await customer.Client.PostAsJsonAsync($"/api/gateways/{gatewayId}/dealers", new { dealerId, phone });

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await JsonAsync(response);
    }
}
