using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using KpNet.Access;
using KpNet.Accounts;
using KpNet.Azure.EventHubs;
using KpNet.Inventory;
using KpNet.Tests.Accounts;
using KpNet.Tests.Registration;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Monitoring;

/// <summary>A gateway in the inventory, owned (Active claim) by a fresh customer whose client is logged in.</summary>
public sealed record MonitoredGateway(string Id, Account Owner, HttpClient OwnerClient);

/// <summary>Gateways, owners and telemetry as the monitoring tests need them, unique per test.</summary>
public static class MonitoredGateways
{
    public const string Password = "abcdefghijk12";

    public static string NewGatewayId() => "M" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..11];

    /// <summary>A gateway in the inventory (a fresh ID unless given): a Multi V2X (GW-M001) unless asked for a KPAC-B (KP-GWBT-A).</summary>
    public static async Task<string> ImportAsync(TestApp app, string? id = null, ProductLine product = ProductLine.MultiV2x)
    {
        id ??= NewGatewayId();
        await app.Services.GetRequiredService<GatewayInventory>()
            .ImportAsync([new InventoryRow(id, Password, product == ProductLine.KpacB ? "KP-GWBT-A" : "GW-M001", "S" + id, product)], CancellationToken.None);
        return id;
    }

    public static async Task<MonitoredGateway> CreateOwnedAsync(TestApp app, string? id = null)
    {
        id = await ImportAsync(app, id);
        var (owner, password) = await TestAccounts.CreateActiveAsync(app);
        await app.Services.GetRequiredService<GatewayClaims>().TryInsertAsync(
            new GatewayClaim(id, owner.UserId, owner.Email, ClaimStatus.Active, DateTimeOffset.UtcNow, null, default), CancellationToken.None);
        return new MonitoredGateway(id, owner, await LoggedInClientAsync(app, owner.Email, password));
    }

    public static async Task<HttpClient> LoggedInClientAsync(TestApp app, string email, string password)
    {
        var client = TestAccounts.NewClient(app);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestAccounts.LoginAsync(client, email, password));
        return client;
    }

    public static async Task<HttpClient> StrangerAsync(TestApp app)
    {
        var (stranger, password) = await TestAccounts.CreateActiveAsync(app);
        return await LoggedInClientAsync(app, stranger.Email, password);
    }

    public static string Event(
        string gatewayId, long seq, DateTimeOffset ts, string units = """[{"no":1,"model":"KPV-A55-J4","serial":"U1","status":"run","faults":[]}]""",
        double batteryTempC = 30, double batterySoc = 50, double batteryW = -100, double pvW = 1000, double evW = 3000) =>
        $$"""
        {"v":1,"gatewayId":"{{gatewayId}}","seq":{{seq}},"ts":"{{ts.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}}",
         "model":"GW-M001","serial":"S{{gatewayId}}","fw":"1.4.2",
         "pv":{"w":{{N(pvW)}}},"battery":{"soc":{{N(batterySoc)}},"w":{{N(batteryW)}},"tempC":{{N(batteryTempC)}}},
         "ev":{"connected":true,"soc":40,"w":{{N(evW)}}},"grid":{"w":-500},"load":{"w":1500},"units":{{units}}}
        """;

    public static string FaultyUnits(string code, int unitNo = 2) =>
        $$"""[{"no":1,"model":"KPV-A","serial":"U1","status":"run","faults":[]},{"no":{{unitNo}},"model":"KPV-B","serial":"U2","status":"fault","faults":["{{code}}"]}]""";

    /// <summary>Sends through the local ingest endpoint (the Event Hubs REST API), which answers once the batch is applied.</summary>
    public static async Task SendAsync(TestApp app, params string[] bodies)
    {
        var producer = new EventHubsProducerClient(app.TelemetryConnectionString, new EventHubsProducerClientOptions { Retry = { MaxRetries = 0 } });
        var response = await producer.SendBatchAsync(OwnPublisher.Events(bodies));
        Assert.Equal(201, response.Status);
    }

    public sealed record Mail(string To, string Subject, string Text, DateTimeOffset SentAt);

    public static async Task<List<Mail>> MailsToAsync(TestApp app, string to) =>
        (await app.Client.GetFromJsonAsync<List<Mail>>("/api/dev/mail"))!.Where(m => string.Equals(m.To, to, StringComparison.OrdinalIgnoreCase)).ToList();

    public static Task<List<Mail>> WaitForMailsAsync(TestApp app, string to, string subjectStart, int count) =>
        Eventually.ReturnsAsync(
            async () => (await MailsToAsync(app, to)).Where(m => m.Subject.StartsWith(subjectStart, StringComparison.Ordinal)).ToList(),
            mails => mails.Count >= count, RegistrationClient.MailTimeout, what: $"{count} mail(s) {subjectStart} to {to}");

    private static string N(double value) => value.ToString(CultureInfo.InvariantCulture);
}
