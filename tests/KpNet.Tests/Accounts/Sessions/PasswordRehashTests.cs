using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using KpNet.Accounts;
using KpNet.Security;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KpNet.Tests.Accounts.Sessions;

/// <summary>Raising Security__PasswordHashIterations strengthens every password at its owner's next sign-in.</summary>
public sealed class PasswordRehashTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_password_hashed_with_fewer_iterations_than_the_setting_is_hashed_again_at_sign_in_and_keeps_working()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new Dictionary<string, string> { ["Security:PasswordHashIterations"] = "2000" });
        var weaker = new SecretHasher(Options.Create(new SecurityOptions { PasswordHashIterations = 1000 }));
        var (account, password) = await TestAccounts.CreateActiveAsync(app);
        var accounts = app.Services.GetRequiredService<AccountStore>();
        await accounts.ReplaceAsync(account with { PasswordHash = weaker.Hash(password) }, CancellationToken.None);

        using var client = TestAccounts.NewClient(app);
        using var signIn = await client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);

        var stored = (await accounts.FindByEmailAsync(account.Email, CancellationToken.None))!.PasswordHash!;
        Assert.Equal(2000, IterationsOf(stored));
        using var again = await client.PostAsJsonAsync("/api/sessions", new { email = account.Email, password });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    // ASP.NET Core Identity's version 3 format: 0x01, PRF (4 bytes), iteration count (4 bytes, big-endian), salt, subkey.
    private static int IterationsOf(string hash) => BinaryPrimitives.ReadInt32BigEndian(Convert.FromBase64String(hash).AsSpan(5, 4));
}
