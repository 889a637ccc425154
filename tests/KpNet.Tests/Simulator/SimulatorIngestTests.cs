using System.Net;
using System.Net.Http.Json;
using KpNet.Azure.EventHubs;
using KpNet.Inventory;
using KpNet.Simulator;
using KpNet.Telemetry;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Monitoring;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Simulator;

public sealed class SimulatorIngestTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task One_simulator_round_through_the_local_ingest_endpoint_gives_every_simulated_gateway_a_status()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var gateways = Enumerable.Range(0, 6)
            .Select(i => new DemoGateway("S" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..11], "GW-M001", $"SIM{i}", i % 2 == 0 ? SimulatedProduct.MultiV2x : SimulatedProduct.KpacB))
            .ToList();
        await app.Services.GetRequiredService<GatewayInventory>().ImportAsync(
            gateways.Select(g => new InventoryRow(g.Id, "abcdefghijk12", g.Model, g.Serial, g.Product == SimulatedProduct.MultiV2x ? ProductLine.MultiV2x : ProductLine.KpacB)).ToList(),
            CancellationToken.None);
        var simulator = new GatewaySimulator(gateways, TimeSpan.FromSeconds(5));
        var sender = new TelemetrySender(new EventHubsProducerClient(app.TelemetryConnectionString));

        var readings = simulator.NextRound(DateTimeOffset.UtcNow);
        var result = await sender.SendAsync(readings, CancellationToken.None);

        Assert.Equal((gateways.Count, 0), (result.Sent, result.Failed));
        var statuses = app.Services.GetRequiredService<GatewayStatusStore>();
        foreach (var reading in readings)
        {
            var status = await statuses.GetAsync(reading.GatewayId);
            Assert.NotNull(status);
            Assert.Equal((reading.Seq, reading.PvW, reading.GridW), (status.Seq, status.Measurements[Measurement.PvW]!.Value, status.Measurements[Measurement.GridW]!.Value));
            Assert.Equal(reading.Units.Select(u => (u.No, u.Model, u.Serial)), status.UnitConfiguration.Select(u => (u.UnitNo, u.Model!, u.Serial!)));
        }
    }

    [Fact]
    public async Task Simulated_gateways_read_their_new_settings_with_their_password_and_report_them_applied_once()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var owned = await MonitoredGateways.CreateOwnedAsync(app);
        using var ownerClient = owned.OwnerClient;
        using (var put = await ownerClient.PutAsJsonAsync($"/api/gateways/{owned.Id}/settings", new { operationMode = "backup", batteryReservePercent = 40 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var poller = new SettingsPoller(app.Client, [
            new DemoGateway(owned.Id, "GW-M001", "S" + owned.Id, SimulatedProduct.MultiV2x, MonitoredGateways.Password),
            new DemoGateway(owned.Id, "GW-M001", "S" + owned.Id, SimulatedProduct.MultiV2x, "wrong-password"),
            new DemoGateway("SNOPASSWORD1", "GW-M001", "SIMP", SimulatedProduct.KpacB),
        ]);

        Assert.Equal(1, await poller.PollAsync(CancellationToken.None));
        Assert.Equal(0, await poller.PollAsync(CancellationToken.None));
        var settings = await GatewayTestClient.GetJsonAsync(ownerClient, $"/api/gateways/{owned.Id}/settings");
        Assert.Equal(settings.GetProperty("version").GetInt32(), settings.GetProperty("applied").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_round_sent_with_a_wrong_key_counts_its_events_as_failed()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        var wrongKey = app.TelemetryConnectionString.Replace(TestApp.TelemetryKey, "not-the-key", StringComparison.Ordinal);
        var sender = new TelemetrySender(new EventHubsProducerClient(wrongKey));
        var simulator = new GatewaySimulator([new DemoGateway("SWRONGKEY001", "GW-M001", "SIMX", SimulatedProduct.KpacB)], TimeSpan.FromSeconds(5));

        var result = await sender.SendAsync(simulator.NextRound(DateTimeOffset.UtcNow), CancellationToken.None);

        Assert.Equal((0, 1), (result.Sent, result.Failed));
        Assert.Contains("401", result.LastError, StringComparison.Ordinal);
    }
}
