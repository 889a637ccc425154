using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Accounts.Recovery;
using KpNet.Security;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Accounts;

/// <summary>Accounts written straight to storage, as if registered and activated, with a unique address and a known password.</summary>
public static class TestAccounts
{
    public const string DefaultPassword = "Passw0rdKp";
    public const string DefaultPhone = "0753448160";

    public static async Task<(Account Account, string Password)> CreateActiveAsync(
        TestApp app, AccountRole role = AccountRole.Customer, string? email = null, string? password = null, string? phone = null,
        PersonName? name = null, string language = "ja")
    {
        password ??= DefaultPassword;
        var account = await InsertAsync(app, role, AccountStatus.Active, email, app.Services.GetRequiredService<SecretHasher>().Hash(password), phone, name, language);
        await app.Services.GetRequiredService<AccountPhoneIndex>().UpsertAsync(account, CancellationToken.None);
        return (account, password);
    }

    /// <summary>Registered but not activated: no password yet, an activation deadline a day ahead.</summary>
    public static Task<Account> CreateProvisionalAsync(TestApp app, string? email = null) =>
        InsertAsync(app, AccountRole.Customer, AccountStatus.Provisional, email, passwordHash: null, phone: null, name: null, language: "ja");

    public static string UniqueEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.jp";

    /// <summary>A phone number no other test uses, as digits.</summary>
    public static string UniquePhone() => "090" + Random.Shared.Next(0, 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A client of the app with an IP address of its own (<see cref="LoopbackClient"/>).</summary>
    public static HttpClient NewClient(TestApp app, CookieContainer? cookies = null) => LoopbackClient.Create(app.BaseAddress, cookies);

    /// <summary>Logs in through POST /api/sessions and answers the session token.</summary>
    public static async Task<string> LoginAsync(HttpClient client, string email, string password)
    {
        using var response = await client.PostAsJsonAsync("/api/sessions", new { email, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private static async Task<Account> InsertAsync(
        TestApp app, AccountRole role, AccountStatus status, string? email, string? passwordHash, string? phone, PersonName? name, string language)
    {
        var now = DateTimeOffset.UtcNow;
        var account = new Account
        {
            UserId = Guid.NewGuid().ToString("N"),
            Email = email ?? UniqueEmail(role.ToString().ToLowerInvariant()),
            Role = role,
            Status = status,
            Name = name ?? new PersonName("御室", "花子"),
            Kana = new PersonName("オムロ", "ハナコ"),
            Phone = phone ?? DefaultPhone,
            Address = new PostalAddress("600-8530", "京都府", "京都市下京区", "堀川通1-2"),
            TermsVersion = "2026-01",
            TermsAgreedAt = now,
            PasswordHash = passwordHash,
            SecurityStamp = AccountStore.NewSecurityStamp(),
            CreatedAt = now,
            ActivationExpiresAt = status == AccountStatus.Provisional ? now.AddDays(1) : null,
            ActivatedAt = status == AccountStatus.Active ? now : null,
            DealerId = role == AccountRole.Dealer ? 4001 : null,
            Language = language,
        };
        return await app.Services.GetRequiredService<AccountStore>().InsertAsync(account, CancellationToken.None);
    }
}
