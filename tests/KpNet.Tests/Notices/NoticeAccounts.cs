using System.Net.Http.Headers;
using KpNet.Accounts;
using KpNet.Accounts.Sessions;
using KpNet.Security;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Notices;

/// <summary>Active accounts of a role with a live session, created straight in the stores (registration is not under test here).</summary>
internal static class NoticeAccounts
{
    public static async Task<HttpClient> SignedInClientAsync(TestApp app, AccountRole role)
    {
        var now = DateTimeOffset.UtcNow;
        var account = await app.Services.GetRequiredService<AccountStore>().InsertAsync(new Account
        {
            UserId = Guid.NewGuid().ToString("N"),
            Email = $"notice-{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@example.jp",
            Role = role,
            Status = AccountStatus.Active,
            Name = new PersonName("御室", "花子"),
            Phone = "0753448160",
            Address = new PostalAddress("600-8530", "京都府", "京都市下京区", "堀川通1-2"),
            TermsVersion = "2026-01",
            TermsAgreedAt = now,
            PasswordHash = app.Services.GetRequiredService<SecretHasher>().Hash("Passw0rdTest"),
            SecurityStamp = AccountStore.NewSecurityStamp(),
            CreatedAt = now,
            ActivatedAt = now,
            DealerId = role == AccountRole.Dealer ? 4001 : null,
        }, CancellationToken.None);
        var (token, _) = await app.Services.GetRequiredService<SessionStore>().CreateAsync(account, CancellationToken.None);
        var client = LoopbackClient.Create(app.BaseAddress);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
