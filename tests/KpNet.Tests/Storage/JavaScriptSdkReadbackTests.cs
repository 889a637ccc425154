using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Tests.Infrastructure;
using static KpNet.Tests.Gateways.GatewayTestClient;
using static KpNet.Tests.Monitoring.MonitoredGateways;

namespace KpNet.Tests.Storage;

/// <summary>
/// What the system writes stays readable by Microsoft's other SDKs: after customers, dealers, telemetry, an alert and
/// its mail, and a queued mail request, the JavaScript SDKs (@azure/data-tables, @azure/storage-queue, pinned in the
/// repository's package.json) read every table (of the main account and of each telemetry account) and every queue
/// message, with dates as dates.
/// </summary>
public sealed class JavaScriptSdkReadbackTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Every_table_and_queue_message_the_system_writes_is_read_by_the_javascript_sdks_with_dates_as_dates()
    {
        await using (var app = await TestApp.StartAsync(azurite.ConnectionString))
        {
            using var customer = await SignInAsync(app);
            var gatewayId = await AddGatewayAsync(app, customer);
            var (dealer, dealerId, phone) = await SignUpDealerAsync(app);
            using var _ = dealer;
            (await LinkAsync(customer, gatewayId, dealerId, phone)).EnsureSuccessStatusCode();
            await SendAsync(app, Event(gatewayId, 1, DateTimeOffset.UtcNow.AddMinutes(-1), batteryTempC: 62));
            await GetJsonAsync(dealer.Client, "/api/dealer/gateways/" + gatewayId);
            await Eventually.ReturnsAsync(
                async () => (await app.Client.GetFromJsonAsync<JsonElement[]>("/api/dev/mail"))!.Length, count => count > 0, what: "the alert mail");
        }

        // Under the Functions host nothing here consumes the queues, so the request's message stays to be read.
        await using (var app = await TestApp.StartAsync(azurite.ConnectionString, underFunctionsHost: true))
        {
            using var client = LoopbackClient.Create(app.BaseAddress);
            (await client.PostAsJsonAsync("/api/password-resets", new { email = "someone@example.jp" })).EnsureSuccessStatusCode();
        }

        var report = await ReadWithJavaScriptAsync(azurite.ConnectionString);
        var telemetryReports = new List<JsonElement>();
        foreach (var shard in AzuriteProcess.TelemetryShardConnectionStrings(azurite.ConnectionString))
        {
            telemetryReports.Add(await ReadWithJavaScriptAsync(shard));
        }

        var tables = report.GetProperty("tables");
        foreach (var written in new[] { "Accounts", "GatewayClaims", "CustomerGateways", "DealerGateways", "MailDeliveries", "AuditLog" })
        {
            Assert.True(tables.GetProperty(written).GetProperty("entities").GetInt32() > 0, $"{written} read no entity");
        }

        foreach (var written in new[] { "GatewayStatus", "TelemetryRollups", "Alerts", "GatewayLastSeen" })
        {
            var entities = telemetryReports.Sum(shard => shard.GetProperty("tables").TryGetProperty(written, out var table) ? table.GetProperty("entities").GetInt32() : 0);
            Assert.True(entities > 0, $"{written} read no entity in any telemetry account");
        }

        var statuses = Assert.Single(telemetryReports, shard => shard.GetProperty("tables").GetProperty("GatewayStatus").GetProperty("entities").GetInt32() > 0);
        Assert.Equal(["Date"], Types(statuses.GetProperty("tables"), "GatewayStatus", "Ts"));

        Assert.Equal(["Date"], Types(tables, "Accounts", "CreatedAt"));
        Assert.Equal(["Date"], Types(tables, "MailDeliveries", "SentAt"));
        var queues = report.GetProperty("queues").EnumerateObject().ToList();
        Assert.Contains(queues, q => q.Name == "mail-requests" && q.Value.GetProperty("messages").GetInt32() == 1);
        Assert.All(queues, q => Assert.Equal(0, q.Value.GetProperty("notJson").GetInt32()));
    }

    private static string[] Types(JsonElement tables, string table, string property) =>
        tables.GetProperty(table).GetProperty("properties").GetProperty(property).EnumerateArray().Select(t => t.GetString()!).ToArray();

    private static async Task<JsonElement> ReadWithJavaScriptAsync(string connectionString)
    {
        var script = Path.Combine(RepositoryRoot.Path, "tests", "KpNet.Tests", "Storage", "read-with-js-sdk.mjs");
        using var node = Process.Start(new ProcessStartInfo("node", [script, connectionString])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        })!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, $"The JavaScript SDKs failed to read the account:\n{await errors}");
        return JsonDocument.Parse(await output).RootElement;
    }
}
