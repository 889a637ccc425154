using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Accounts.Recovery;
using KpNet.Accounts.Sessions;
using KpNet.Hosting;
using KpNet.Notifications;
using KpNet.Security;
using KpNet.Tests.Accounts;
using KpNet.Tests.Registration;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Http;

public enum Role
{
    Anonymous,
    Customer,
    Dealer,
    Admin,
}

/// <summary>One JSON route of the app, called by <see cref="Role"/> with a body that would succeed as it is.</summary>
public sealed record JsonRoute(string Method, string Pattern, Role Role, Func<JsonRoutesApp, string> Path, Func<JsonRoutesApp, JsonObject> Body)
{
    public string Key => $"{Method} {Pattern}";
}

/// <summary>
/// The app as the Functions host runs it (no local triggers: nothing but the requests under test writes to storage),
/// a signed-in caller of each role, and what every JSON route needs before it reads its body: a gateway the customer
/// owns, a spare one in the inventory, a live activation link and a live password reset link.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "xunit disposes class fixtures through IAsyncLifetime.DisposeAsync.")]
public sealed class JsonRoutesApp : IAsyncLifetime
{
    /// <summary>Every POST, PUT and PATCH route whose body is JSON, with a body that passes validation.</summary>
    public static readonly IReadOnlyList<JsonRoute> Routes =
    [
        new("POST", "/api/gateways/verify", Role.Anonymous, _ => "/api/gateways/verify",
            a => new JsonObject { ["id"] = a.SpareGatewayId, ["password"] = RegistrationClient.GatewayPassword }),
        new("POST", "/api/accounts", Role.Anonymous, _ => "/api/accounts",
            a => RegistrationClient.Body(a.NewEmail, a.SpareGatewayId)),
        new("POST", "/api/activations/{token}", Role.Anonymous, a => "/api/activations/" + a.ActivationToken,
            _ => new JsonObject { ["termsVersion"] = "2026-01", ["password"] = "Passw0rdKp", ["passwordConfirm"] = "Passw0rdKp", ["phone"] = TestAccounts.DefaultPhone }),
        new("POST", "/api/activations", Role.Anonymous, _ => "/api/activations",
            a => new JsonObject { ["email"] = a.NewEmail }),
        new("POST", "/api/sessions", Role.Anonymous, _ => "/api/sessions",
            a => new JsonObject { ["email"] = a.NewEmail, ["password"] = "Passw0rdKp" }),
        new("POST", "/api/password-resets", Role.Anonymous, _ => "/api/password-resets",
            a => new JsonObject { ["email"] = a.NewEmail }),
        new("POST", "/api/password-resets/{token}", Role.Anonymous, a => "/api/password-resets/" + a.ResetToken,
            _ => new JsonObject { ["password"] = "N3wPassword", ["passwordConfirm"] = "N3wPassword", ["phone"] = TestAccounts.DefaultPhone }),
        new("POST", "/api/account-ids/recovery", Role.Anonymous, _ => "/api/account-ids/recovery",
            _ => new JsonObject { ["name"] = new JsonObject { ["family"] = "御室", ["given"] = "花子" }, ["phone"] = TestAccounts.UniquePhone() }),
        new("PUT", "/api/me/profile", Role.Customer, _ => "/api/me/profile",
            _ => new JsonObject
            {
                ["currentPassword"] = TestAccounts.DefaultPassword,
                ["name"] = new JsonObject { ["family"] = "嵐山", ["given"] = "楓" },
                ["kana"] = new JsonObject { ["family"] = "アラシヤマ", ["given"] = "カエデ" },
                ["postalCode"] = "616-8385", ["prefecture"] = "京都府", ["city"] = "京都市右京区", ["street"] = "嵯峨天龍寺芒ノ馬場町68",
                ["phone"] = TestAccounts.UniquePhone(),
                ["company"] = new JsonObject { ["name"] = "嵐山商店", ["department"] = "総務部" },
            }),
        new("POST", "/api/me/email-change", Role.Customer, _ => "/api/me/email-change",
            a => new JsonObject { ["currentPassword"] = TestAccounts.DefaultPassword, ["email"] = a.NewEmail, ["emailConfirm"] = a.NewEmail }),
        new("PUT", "/api/me/password", Role.Customer, _ => "/api/me/password",
            _ => new JsonObject { ["currentPassword"] = TestAccounts.DefaultPassword, ["password"] = "N3wPassword", ["passwordConfirm"] = "N3wPassword" }),
        new("POST", "/api/dealers", Role.Anonymous, _ => "/api/dealers",
            a => ToJsonObject(GatewayTestClient.DealerBody(a.NewEmail, TestAccounts.UniquePhone(), "テスト販売店"))),
        new("PUT", "/api/dealer/staff-emails", Role.Dealer, _ => "/api/dealer/staff-emails",
            _ => new JsonObject { ["staffEmails"] = new JsonArray(TestAccounts.UniqueEmail("staff"), TestAccounts.UniqueEmail("staff")) }),
        new("POST", "/api/gateways", Role.Customer, _ => "/api/gateways",
            a => new JsonObject
            {
                ["gateway"] = new JsonObject { ["id"] = a.SpareGatewayId, ["password"] = RegistrationClient.GatewayPassword },
                ["site"] = Site(),
                ["gridConnectionDate"] = "2025-10-01",
            }),
        new("PATCH", "/api/gateways/{id}", Role.Customer, a => "/api/gateways/" + a.OwnedGatewayId,
            _ => new JsonObject { ["site"] = Site() }),
        new("POST", "/api/gateways/{id}/replacement", Role.Customer, a => $"/api/gateways/{a.OwnedGatewayId}/replacement",
            a => new JsonObject { ["gateway"] = new JsonObject { ["id"] = a.SpareGatewayId, ["password"] = RegistrationClient.GatewayPassword } }),
        new("PUT", "/api/gateways/{id}/grid-connection-date", Role.Customer, a => $"/api/gateways/{a.OwnedGatewayId}/grid-connection-date",
            _ => new JsonObject { ["gridConnectionDate"] = "2025-04-01" }),
        new("POST", "/api/gateways/{id}/dealers/preview", Role.Customer, a => $"/api/gateways/{a.OwnedGatewayId}/dealers/preview",
            _ => new JsonObject { ["dealerId"] = "4001", ["phone"] = "090-0000-4001" }),
        new("POST", "/api/gateways/{id}/dealers", Role.Customer, a => $"/api/gateways/{a.OwnedGatewayId}/dealers",
            _ => new JsonObject { ["dealerId"] = "4001", ["phone"] = "090-0000-4001" }),
        new("PUT", "/api/gateways/{id}/settings", Role.Customer, a => $"/api/gateways/{a.OwnedGatewayId}/settings",
            _ => new JsonObject
            {
                ["operationMode"] = "economy",
                ["batteryReservePercent"] = "30",
                ["evChargeWindow"] = new JsonObject { ["start"] = "22:00", ["end"] = "06:00" },
            }),
        new("POST", "/api/gateway-api/settings", Role.Anonymous, _ => "/api/gateway-api/settings",
            a => new JsonObject { ["id"] = a.OwnedGatewayId, ["password"] = RegistrationClient.GatewayPassword }),
        new("POST", "/api/gateway-api/settings/applied", Role.Anonymous, _ => "/api/gateway-api/settings/applied",
            a => new JsonObject { ["id"] = a.OwnedGatewayId, ["password"] = RegistrationClient.GatewayPassword, ["version"] = "0" }),
        new("POST", "/api/gateway-api/telemetry-token", Role.Anonymous, _ => "/api/gateway-api/telemetry-token",
            a => new JsonObject { ["id"] = a.OwnedGatewayId, ["password"] = RegistrationClient.GatewayPassword }),
        new("POST", "/api/operator/notices", Role.Admin, _ => "/api/operator/notices",
            _ => new JsonObject
            {
                ["date"] = "2026-04-01",
                ["title"] = new JsonObject { ["ja"] = "メンテナンスのお知らせ", ["en"] = "Maintenance" },
                ["body"] = new JsonObject { ["ja"] = "本文", ["en"] = "Body" },
                ["audience"] = "all",
                ["publishFrom"] = "2026-04-01T00:00:00Z",
                ["publishUntil"] = "2026-05-01T00:00:00Z",
            }),
        new("POST", "/api/operator/accounts/{userId}/activation-link", Role.Admin, _ => "/api/operator/accounts/u-nobody/activation-link", _ => SupportReason()),
        new("POST", "/api/operator/accounts/{userId}/lock", Role.Admin, _ => "/api/operator/accounts/u-nobody/lock", _ => SupportReason()),
        new("POST", "/api/operator/accounts/{userId}/unlock", Role.Admin, _ => "/api/operator/accounts/u-nobody/unlock", _ => SupportReason()),
        new("POST", "/api/operator/gateways/{id}/release", Role.Admin, a => $"/api/operator/gateways/{a.OwnedGatewayId}/release", _ => SupportReason()),
        new("POST", "/api/operator/gateways/{id}/dealers/{dealerId}/unlink", Role.Admin,
            a => $"/api/operator/gateways/{a.OwnedGatewayId}/dealers/4001/unlink", _ => SupportReason()),
        new("POST", "/api/operator/operators", Role.Admin, _ => "/api/operator/operators", a => new JsonObject { ["email"] = a.NewEmail, ["reason"] = "運営チームへの異動" }),
        new("POST", "/api/operator/operators/{userId}/revoke", Role.Admin, _ => "/api/operator/operators/u-nobody/revoke", _ => SupportReason()),
    ];

    private static JsonObject SupportReason() => new() { ["reason"] = "お客様からのお電話でのご依頼" };

    /// <summary>POST, PUT and PATCH routes whose body is not JSON.</summary>
    public static readonly IReadOnlySet<string> OtherBodies = new HashSet<string>
    {
        "POST /api/operator/gateway-inventory", "POST /api/operator/gateway-inventory/dry-run",

        // Bodiless: the path names the message or row.
        "POST /api/operator/queues/{queue}/messages/{messageId}/requeue", "POST /api/operator/queues/{queue}/messages/{messageId}/handled",
        "POST /api/operator/dead-letters/{day}/{id}/handled",
        "POST /api/email-changes/{token}",
    };

    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly Dictionary<Role, HttpClient> _clients = [];
    private TestApp? _app;

    public TestApp App => _app ?? throw new InvalidOperationException("Call StartAsync first.");

    public string OwnedGatewayId { get; private set; } = "";

    /// <summary>In the inventory and never claimed, so a route that wrongly accepted a bad body would take it.</summary>
    public string SpareGatewayId { get; private set; } = "";

    public string ActivationToken { get; private set; } = "";

    public string ResetToken { get; private set; } = "";

    /// <summary>An address no account has.</summary>
    public string NewEmail { get; } = TestAccounts.UniqueEmail("bad-input");

    public static JsonRoute Route(string key) => Routes.Single(r => r.Key == key);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task StartAsync(string storageConnectionString)
    {
        await _starting.WaitAsync();
        try
        {
            if (_app is not null)
            {
                return;
            }

            _app = await TestApp.StartHostedAsync(storageConnectionString);

            var customer = await GatewayTestClient.SignInAsync(_app);
            _clients[Role.Customer] = customer.Client;
            _clients[Role.Dealer] = (await GatewayTestClient.SignInAsync(_app, AccountRole.Dealer)).Client;
            _clients[Role.Admin] = (await GatewayTestClient.SignInAsync(_app, AccountRole.Admin)).Client;
            OwnedGatewayId = await GatewayTestClient.AddGatewayAsync(_app, customer);
            SpareGatewayId = await RegistrationClient.ImportGatewayAsync(_app);

            var provisional = await TestAccounts.CreateProvisionalAsync(_app);
            ActivationToken = await _app.Services.GetRequiredService<ActivationTokens>()
                .IssueAsync(provisional.Email, ActivationKind.Customer, provisional.ActivationExpiresAt!.Value, CancellationToken.None);
            var (active, _) = await TestAccounts.CreateActiveAsync(_app);
            ResetToken = SecureToken.Create();
            await _app.Services.GetRequiredService<PasswordResetTokens>().StoreAsync(SecureToken.Hash(ResetToken), active, CancellationToken.None);
        }
        finally
        {
            _starting.Release();
        }
    }

    /// <summary>A client of the role, each anonymous one from its own address so no test's throttles count against it.</summary>
    public HttpClient ClientFor(Role role) => role == Role.Anonymous ? TestAccounts.NewClient(App) : _clients[role];

    /// <summary>
    /// The rows written since <paramref name="since"/> in every table of the app but Sessions (a session's last-seen time
    /// is refreshed by any signed-in request), and how many mails were queued, as "table: key" lines.
    /// </summary>
    public async Task<IReadOnlyList<string>> WritesSinceAsync(DateTimeOffset since, int outboxBefore)
    {
        var storage = App.Services.GetRequiredService<StorageAccount>();
        var writes = new List<string>();
        foreach (var table in App.Services.GetServices<StorageTable>().Select(t => t.Name).Where(n => n != SessionStore.TableName).Distinct())
        {
            await foreach (var row in storage.GetTableClient(table).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Timestamp ge {since}")))
            {
                writes.Add($"{table}: {row.PartitionKey} / {row.RowKey}");
            }
        }

        var queued = await OutboxCountAsync() - outboxBefore;
        if (queued != 0)
        {
            writes.Add($"{EmailOutbox.QueueName}: {queued} mail(s)");
        }

        return writes;
    }

    public async Task<int> OutboxCountAsync() =>
        (await App.Services.GetRequiredService<StorageAccount>().GetQueueClient(EmailOutbox.QueueName).GetPropertiesAsync()).Value.ApproximateMessagesCount;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static JsonObject Site() => new()
    {
        ["name"] = "XX株式会社 京都発電所", ["postalCode"] = "987-6543", ["prefecture"] = "京都府", ["city"] = "京都市", ["street"] = "123-4-5",
    };

    private static JsonObject ToJsonObject(object value) => System.Text.Json.JsonSerializer.SerializeToNode(value)!.AsObject();
}
