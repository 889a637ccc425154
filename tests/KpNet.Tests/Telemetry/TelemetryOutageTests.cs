using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using KpNet.Azure.EventHubs;
using KpNet.Hosting.Functions;
using KpNet.Inventory;
using KpNet.Telemetry;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Notifications;
using ManualClock = Microsoft.Extensions.Time.Testing.FakeTimeProvider;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KpNet.Tests.Telemetry;

/// <summary>
/// What the host would lose in Azure if a batch could be given up: every telemetry table down for longer than the old
/// retry budget (5 retries, about a minute), and one gateway whose rows storage refuses on every try. The clock only
/// moves when the test moves it, so minutes of back-off pass in milliseconds.
/// </summary>
public sealed class TelemetryOutageTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const int OldTriesBeforeGivingUp = 6;

    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly CapturedLogs _logs = new();
    private readonly TableRequestCounter _requests = new();
    private readonly TableFaults _faults = new();
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync(azurite.ConnectionString, configure: builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Logging.AddProvider(_logs.CreateProvider());
            builder.Services.AddSingleton(_requests.Registration).AddSingleton(_faults.Registration);
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private GatewayStatusStore Statuses => _app.Services.GetRequiredService<GatewayStatusStore>();

    private DateTimeOffset Hour => new(_clock.GetUtcNow().AddHours(-3).Date.AddHours(_clock.GetUtcNow().AddHours(-3).Hour), TimeSpan.Zero);

    private int FailedIngestInvocations => _logs.Entries.Count(e => e.EventId.Name == "InvocationFailed" && Equals(e.Values["FunctionName"], TelemetryIngestFunction.Name));

    private IEnumerable<CapturedLogs.Entry> AppliedBatches => _logs.Entries.Where(e => e.EventId.Name == "TelemetryBatchApplied");

    private async Task<string[]> KnownGatewaysAsync(int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => "T" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..11]).ToArray();
        await _app.Services.GetRequiredService<GatewayInventory>().ImportAsync(
            ids.Select(id => new InventoryRow(id, "abcdefghijk12", "GW-M001", "S" + id, ProductLine.MultiV2x)).ToList(), CancellationToken.None);
        return ids;
    }

    private static string Event(string gatewayId, long seq, DateTimeOffset ts) =>
        $$$"""{"v":1,"gatewayId":"{{{gatewayId}}}","seq":{{{seq}}},"ts":"{{{ts.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}}}","pv":{"w":1200},"grid":{"w":0},"battery":{"w":0,"soc":60},"load":{"w":1200}}""";

    private async Task<int> SendAsync(IEnumerable<string> bodies)
    {
        var producer = new EventHubsProducerClient(_app.TelemetryConnectionString, new EventHubsProducerClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(30) } });
        try
        {
            return (await producer.SendBatchAsync(OwnPublisher.Events(bodies))).Status;
        }
        catch (RequestFailedException e)
        {
            return e.Status;
        }
    }

    // Moves the clock in steps no longer than the longest back-off, so each step ends the retry delay then pending.
    private async Task AdvanceClockUntilAsync(Func<bool> done, string what) =>
        await Eventually.ReturnsWhileAdvancingAsync(
            _clock, TelemetryRegistration.IngestRetry.MaximumInterval, () => Task.FromResult(done()), isDone => isDone, timeout: TimeSpan.FromSeconds(60), what: what);

    private async Task<TableEntity> RollupAsync(string gatewayId, string rowKey)
    {
        var table = await _app.Services.TelemetryTableAsync(gatewayId, TelemetryRollups.TableName);
        return (await table.GetEntityAsync<TableEntity>(gatewayId, rowKey)).Value;
    }

    [Fact]
    public async Task Storage_down_for_longer_than_the_old_retry_budget_delays_telemetry_and_then_applies_every_event_once()
    {
        var gateways = await KnownGatewaysAsync(3);
        var hour = Hour;
        Assert.Equal(201, await SendAsync(gateways.Select(g => Event(g, 1, hour))));
        var outageBatch = gateways.SelectMany(g => Enumerable.Range(2, 3).Select(seq => Event(g, seq, hour.AddMinutes(seq - 1)))).ToList();
        _requests.Reset();

        _faults.Unavailable = true;
        var sending = SendAsync(outageBatch);
        await AdvanceClockUntilAsync(() => FailedIngestInvocations > 2 * OldTriesBeforeGivingUp, "the batch to fail twice as often as the old policy allowed");
        Assert.Equal(503, await sending);
        Assert.DoesNotContain(AppliedBatches, e => (int)e.Values["RetryCount"]! > 0);

        _faults.Unavailable = false;
        await AdvanceClockUntilAsync(() => AppliedBatches.Any(e => (int)e.Values["RetryCount"]! > 2 * OldTriesBeforeGivingUp), "the retried batch to be applied");
        Assert.Equal(201, await SendAsync(outageBatch));

        foreach (var gateway in gateways)
        {
            var status = await Statuses.GetAsync(gateway);
            Assert.Equal((4L, hour.AddMinutes(3)), (status!.Seq, status.Ts));
            var bucket = await RollupAsync(gateway, TelemetryRollups.FiveMinuteKey(hour));
            Assert.Equal(("1-4", 4), (bucket.GetString("Seqs"), bucket.GetInt32("Events")));
        }

        Assert.Equal(gateways.Length, _requests.Writes(GatewayStatusEntity.TableName));
    }

    [Fact]
    public async Task A_gateway_whose_rows_storage_refuses_is_set_aside_with_the_reason_and_the_rest_of_the_batch_is_applied_at_once()
    {
        var (refused, others) = (await KnownGatewaysAsync(3)) switch { var ids => (ids[0], ids[1..]) };
        var hour = Hour;
        Assert.Equal(201, await SendAsync([Event(refused, 1, hour)]));
        _faults.RefuseWritesTo(GatewayStatusEntity.TableName, refused);
        var refusedEvent = Event(refused, 2, hour.AddMinutes(1));

        Assert.Equal(201, await SendAsync([refusedEvent, .. others.Select(g => Event(g, 1, hour))]));

        Assert.Equal(0, FailedIngestInvocations);
        Assert.All(await Task.WhenAll(others.Select(g => Statuses.GetAsync(g))), status => Assert.Equal(1, status!.Seq));
        Assert.Equal(1, (await Statuses.GetAsync(refused))!.Seq);
        var deadLetter = (await (await _app.Services.TelemetryTableAsync(refused, TelemetryDeadLetters.TableName))
            .GetEntityAsync<TableEntity>(TelemetryDeadLetters.PartitionKeyFor(_clock.GetUtcNow()), TelemetryDeadLetters.RowKeyFor(Encoding.UTF8.GetBytes(refusedEvent)))).Value;
        Assert.Equal((nameof(TelemetryRejectionReason.StorageRejected), "EntityTooLarge", refused, refusedEvent),
            (deadLetter.GetString("Reason"), deadLetter.GetString("Field"), deadLetter.GetString("GatewayId"), deadLetter.GetString("Body")));
    }
}

public sealed class TelemetryIngestRetryTests
{
    [Fact]
    public void The_published_ingest_function_asks_the_host_to_retry_a_failed_batch_until_it_is_applied()
    {
        var appRoot = Path.Combine(Path.GetTempPath(), "kpnet-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var app = KpNetApp.Create([], emittingMetadata: true);
            FunctionMetadataWriter.Write(FunctionCatalog.Of(app), appRoot);

            using var function = JsonDocument.Parse(File.ReadAllText(Path.Combine(appRoot, TelemetryIngestFunction.Name, "function.json")));
            var retry = function.RootElement.GetProperty("retry");
            Assert.Equal(("exponentialBackoff", -1), (retry.GetProperty("strategy").GetString(), retry.GetProperty("maxRetryCount").GetInt32()));
        }
        finally
        {
            Directory.Delete(appRoot, recursive: true);
        }
    }

    [Fact]
    public void A_policy_without_end_allows_every_retry_and_its_delay_stops_growing_at_the_maximum()
    {
        var policy = TelemetryRegistration.IngestRetry;

        Assert.True(policy.AllowsRetry(int.MaxValue));
        Assert.Equal(TimeSpan.FromSeconds(2), policy.DelayBeforeRetry(1));
        Assert.Equal(policy.MaximumInterval, policy.DelayBeforeRetry(10_000));
        Assert.False(new RetryPolicy(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)).AllowsRetry(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(-2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
    }
}
