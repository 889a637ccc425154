using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using KpNet.Azure.EventHubs;
using KpNet.Telemetry;
using KpNet.Tests.Accounts;
using KpNet.Tests.Registration;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Telemetry;

/// <summary>Each gateway sends as its own Event Hubs publisher, with a token it fetches with its ID and password.</summary>
public sealed class TelemetryPublisherTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private GatewayStatusStore Statuses => _app.Services.GetRequiredService<GatewayStatusStore>();

    private static string Event(string gatewayId, long seq) =>
        $$$"""{"v":1,"gatewayId":"{{{gatewayId}}}","seq":{{{seq}}},"ts":"{{{DateTimeOffset.UtcNow.AddMinutes(-1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}}}","pv":{"w":1000}}""";

    private async Task<HttpResponseMessage> RequestTokenAsync(string gatewayId, string password = RegistrationClient.GatewayPassword) =>
        await TestAccounts.NewClient(_app).PostAsJsonAsync("/api/gateway-api/telemetry-token", new { id = gatewayId, password });

    /// <summary>The token as the gateway gets it, its endpoint moved to the test app's port (the local hub does not check the host).</summary>
    private async Task<(Uri Publisher, string Token, DateTimeOffset ExpiresAt)> TokenAsync(string gatewayId)
    {
        using var response = await RequestTokenAsync(gatewayId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var endpoint = new Uri(body.RootElement.GetProperty("endpoint").GetString()!);
        return (new Uri(_app.BaseAddress, endpoint.AbsolutePath), body.RootElement.GetProperty("token").GetString()!, body.RootElement.GetProperty("expiresAt").GetDateTimeOffset());
    }

    private static EventHubsProducerClient Producer(Uri publisher, string token) =>
        new(publisher, token, new EventHubsProducerClientOptions { Retry = { MaxRetries = 0 } });

    private async Task<TableEntity> DeadLetterAsync(string body)
    {
        var (day, rowKey) = (TelemetryDeadLetters.PartitionKeyFor(DateTimeOffset.UtcNow), TelemetryDeadLetters.RowKeyFor(Encoding.UTF8.GetBytes(body)));
        return Assert.Single(await _app.Services.QueryEveryShardAsync(TelemetryDeadLetters.TableName, TableClient.CreateQueryFilter($"PartitionKey eq {day} and RowKey eq {rowKey}")));
    }

    [Fact]
    public async Task A_gateway_gets_a_day_long_token_for_its_own_publisher_and_what_it_sends_with_it_is_applied()
    {
        var gatewayId = await RegistrationClient.ImportGatewayAsync(_app);

        var (publisher, token, expiresAt) = await TokenAsync(gatewayId);
        await Producer(publisher, token).SendBatchAsync([new OutgoingEvent(Event(gatewayId, 1))]);

        Assert.Equal($"/telemetry/publishers/{gatewayId}", publisher.AbsolutePath);
        Assert.InRange(expiresAt, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        Assert.Equal(1, (await Statuses.GetAsync(gatewayId))!.Seq);
    }

    [Fact]
    public async Task A_wrong_password_gets_no_token()
    {
        var gatewayId = await RegistrationClient.ImportGatewayAsync(_app);

        using var response = await RequestTokenAsync(gatewayId, "wrong-password1");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_gateway_cannot_report_for_another_gateway_with_its_token_or_without_one()
    {
        var sender = await RegistrationClient.ImportGatewayAsync(_app);
        var victim = await RegistrationClient.ImportGatewayAsync(_app);
        var (publisher, token, _) = await TokenAsync(sender);
        var forged = Event(victim, long.MaxValue - 1);

        await Producer(publisher, token).SendBatchAsync([new OutgoingEvent(forged)]);
        var asVictim = await Assert.ThrowsAsync<RequestFailedException>(() =>
            Producer(new Uri(_app.BaseAddress, $"/telemetry/publishers/{victim}"), token).SendBatchAsync([new OutgoingEvent(Event(victim, 2))]));
        var notAsPublisher = Event(victim, 3);
        await new EventHubsProducerClient(_app.TelemetryConnectionString).SendBatchAsync([new OutgoingEvent(notAsPublisher)]);

        Assert.Equal(401, asVictim.Status);
        Assert.Null(await Statuses.GetAsync(victim));
        foreach (var body in new[] { forged, notAsPublisher })
        {
            var deadLetter = await DeadLetterAsync(body);
            Assert.Equal((nameof(TelemetryRejectionReason.PublisherMismatch), victim), (deadLetter.GetString("Reason"), deadLetter.GetString("GatewayId")));
        }
    }

    [Fact]
    public async Task A_disposed_gateway_gets_no_new_token_and_the_token_it_holds_stops_working()
    {
        using var customer = await SignInAsync(_app);
        var gatewayId = await AddGatewayAsync(_app, customer);
        var (publisher, token, _) = await TokenAsync(gatewayId);

        Assert.Equal(HttpStatusCode.NoContent, (await customer.Client.DeleteAsync("/api/gateways/" + gatewayId)).StatusCode);

        using var refused = await RequestTokenAsync(gatewayId);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith("このゲートウェイは交換または廃棄", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
        var revoked = await Eventually.ReturnsAsync(
            async () =>
            {
                try
                {
                    await Producer(publisher, token).SendBatchAsync([new OutgoingEvent(Event(gatewayId, 1))]);
                    return 201;
                }
                catch (RequestFailedException e)
                {
                    return e.Status;
                }
            },
            status => status == 401,
            what: "the disposed gateway's publisher to be revoked");
        Assert.Equal(401, revoked);
    }
}
