using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Accounts.Dealers;
using KpNet.Tests.Accounts;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Dealers;

public sealed class DemoDealerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task The_demo_dealers_are_created_once_and_can_sign_in_with_their_documented_logins()
    {
        var settings = new Dictionary<string, string> { ["DemoData:Dealers"] = "true" };
        var first = await DealerIdsAsync(settings);
        var again = await DealerIdsAsync(settings);

        Assert.Equal(2, first.Distinct().Count());
        Assert.Equal(first, again);
    }

    private async Task<int[]> DealerIdsAsync(Dictionary<string, string> settings)
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: settings);
        var ids = new List<int>();
        foreach (var demo in DemoDealerSeeder.Dealers)
        {
            // Wait on the store, not on logins: failed logins would count towards the lockout.
            var accounts = app.Services.GetRequiredService<AccountStore>();
            await Eventually.ReturnsAsync(() => accounts.FindByEmailAsync(demo.Email, CancellationToken.None),
                account => account is { Status: AccountStatus.Active, DealerId: not null }, what: "demo dealer " + demo.Email);
            using var client = TestAccounts.NewClient(app);
            using var login = await client.PostAsJsonAsync("/api/sessions", new { email = demo.Email, password = demo.Password });
            login.EnsureSuccessStatusCode();
            ids.Add((await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetProperty("dealerId").GetInt32());
        }

        return [.. ids];
    }
}
