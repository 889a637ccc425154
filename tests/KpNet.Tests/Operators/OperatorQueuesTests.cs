using System.Net;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Monitoring;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Operators;

/// <summary>
/// Poison messages and dead-lettered telemetry as the operator sees and settles them. The app runs as under the Functions
/// host, so no local trigger takes a requeued message before the test reads it.
/// </summary>
public sealed class OperatorQueuesTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartHostedAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_poisoned_mail_is_counted_shown_decoded_and_sent_again_as_it_was_and_other_messages_can_only_be_marked_handled()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        using var recipient = await SignInAsync(_app);
        var mail = $$"""{"id":"{{Guid.NewGuid():N}}","to":"{{recipient.Account.Email}}","subject":"件名"}""";
        await TestQueues.Queue(azurite.ConnectionString, "email-outbox-poison").CreateIfNotExistsAsync();
        await TestQueues.Queue(azurite.ConnectionString, "email-outbox-poison").SendMessageAsync(mail);
        await TestQueues.Queue(azurite.ConnectionString, "telemetry-publisher-revocations-poison").CreateIfNotExistsAsync();
        await TestQueues.Queue(azurite.ConnectionString, "telemetry-publisher-revocations-poison").SendMessageAsync("GW00009001PV");
        var storedBefore = (await TestQueues.Verbatim(azurite.ConnectionString, "email-outbox-poison").PeekMessageAsync()).Value.Body.ToString();

        var queues = await GetJsonAsync(operatorCaller.Client, "/api/operator/queues");
        var counts = queues.GetProperty("poison").EnumerateArray().ToDictionary(q => q.GetProperty("queue").GetString()!, q => q.GetProperty("count").GetInt32());
        Assert.Equal(1, counts["email-outbox-poison"]);
        Assert.Equal(1, counts["telemetry-publisher-revocations-poison"]);
        Assert.Equal(0, counts["mail-requests-poison"]);
        var shown = Assert.Single((await GetJsonAsync(operatorCaller.Client, "/api/operator/queues/email-outbox-poison/messages")).EnumerateArray());
        Assert.Equal(mail, shown.GetProperty("text").GetString());
        var viewed = Assert.Single((await GetJsonAsync(recipient.Client, "/api/me/audit-log")).EnumerateArray());
        Assert.Equal(["email", "mail"], viewed.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!));
        var messageId = shown.GetProperty("messageId").GetString();

        using var requeued = await operatorCaller.Client.PostAsync($"/api/operator/queues/email-outbox-poison/messages/{messageId}/requeue", null);
        Assert.Equal(HttpStatusCode.NoContent, requeued.StatusCode);
        Assert.Equal(storedBefore, (await TestQueues.Verbatim(azurite.ConnectionString, "email-outbox").PeekMessageAsync()).Value.Body.ToString());
        Assert.Empty((await GetJsonAsync(operatorCaller.Client, "/api/operator/queues/email-outbox-poison/messages")).EnumerateArray());
        using var again = await operatorCaller.Client.PostAsync($"/api/operator/queues/email-outbox-poison/messages/{messageId}/requeue", null);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

        var revocation = (await GetJsonAsync(operatorCaller.Client, "/api/operator/queues/telemetry-publisher-revocations-poison/messages"))[0].GetProperty("messageId").GetString();
        using var refused = await operatorCaller.Client.PostAsync($"/api/operator/queues/telemetry-publisher-revocations-poison/messages/{revocation}/requeue", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        using var handled = await operatorCaller.Client.PostAsync($"/api/operator/queues/telemetry-publisher-revocations-poison/messages/{revocation}/handled", null);
        Assert.Equal(HttpStatusCode.NoContent, handled.StatusCode);
        Assert.Empty((await GetJsonAsync(operatorCaller.Client, "/api/operator/queues/telemetry-publisher-revocations-poison/messages")).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await operatorCaller.Client.GetAsync("/api/operator/queues/accounts/messages")).StatusCode);
    }

    [Fact]
    public async Task Dead_lettered_telemetry_is_counted_by_reason_listed_and_no_longer_counted_once_handled()
    {
        await using var ingesting = await TestApp.StartAsync(await AzuriteFixture.LeaseAccountAsync());
        using var operatorCaller = await SignInAsync(ingesting, AccountRole.Admin);
        var gateway = await MonitoredGateways.ImportAsync(ingesting);
        var now = DateTimeOffset.UtcNow.AddMinutes(-1);
        await MonitoredGateways.SendAsync(ingesting,
            MonitoredGateways.Event(gateway, 1, now, batterySoc: 150), MonitoredGateways.Event(gateway, 2, now, batterySoc: 160), "{\"v\":1,");

        var counts = (await GetJsonAsync(operatorCaller.Client, "/api/operator/queues")).GetProperty("deadLetters").EnumerateArray()
            .ToDictionary(c => c.GetProperty("reason").GetString()!, c => c.GetProperty("count").GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["MalformedJson"] = 1, ["OutOfRange"] = 2 }, counts);
        var listed = (await GetJsonAsync(operatorCaller.Client, "/api/operator/dead-letters?reason=OutOfRange")).EnumerateArray().ToList();
        Assert.Equal(2, listed.Count);
        Assert.All(listed, l => Assert.Equal((gateway, "battery.soc"), (l.GetProperty("gatewayId").GetString(), l.GetProperty("field").GetString())));
        Assert.Contains("\"soc\":160", listed[0].GetProperty("body").GetString() + listed[1].GetProperty("body").GetString(), StringComparison.Ordinal);

        using var handled = await operatorCaller.Client.PostAsync($"/api/operator/dead-letters/{listed[0].GetProperty("day").GetString()}/{listed[0].GetProperty("id").GetString()}/handled", null);
        Assert.Equal(HttpStatusCode.NoContent, handled.StatusCode);
        Assert.Single((await GetJsonAsync(operatorCaller.Client, "/api/operator/dead-letters?reason=OutOfRange")).EnumerateArray());
        Assert.Equal(1, (await GetJsonAsync(operatorCaller.Client, "/api/operator/queues")).GetProperty("deadLetters").EnumerateArray()
            .Single(c => c.GetProperty("reason").GetString() == "OutOfRange").GetProperty("count").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await operatorCaller.Client.PostAsync("/api/operator/dead-letters/20260101/" + new string('a', 64) + "/handled", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorCaller.Client.PostAsync("/api/operator/dead-letters/2026#/x/handled", null)).StatusCode);
        using var unknownReason = await operatorCaller.Client.GetAsync("/api/operator/dead-letters?reason=Nonsense");
        Assert.Equal(HttpStatusCode.BadRequest, unknownReason.StatusCode);
        Assert.Equal("理由を指定してください (例: MalformedJson、OutOfRange)。", (await JsonAsync(unknownReason)).GetProperty("errors").GetProperty("reason")[0].GetString());
    }
}
