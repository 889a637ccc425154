using System.Globalization;
using Azure.Data.Tables;
using KpNet.Azure.EventHubs;
using KpNet.Azure.Storage.Tables;
using KpNet.Inventory;
using KpNet.Telemetry;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Telemetry;

public sealed class TelemetryRollupCacheTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // 01:00 in Japan on 1 June 2025: the next hour is the same Japan day, the day ends at 15:00 UTC.
    private static readonly DateTimeOffset Hour = new(2025, 5, 31, 16, 0, 0, TimeSpan.Zero);

    private sealed class Instance(TestApp app, TableRequestCounter requests) : IAsyncDisposable
    {
        public TestApp App => app;

        public TableRequestCounter Requests => requests;

        public async Task SendAsync(params string[] bodies)
        {
            var producer = new EventHubsProducerClient(app.TelemetryConnectionString, new EventHubsProducerClientOptions { Retry = { MaxRetries = 0 } });
            var response = await producer.SendBatchAsync(OwnPublisher.Events(bodies));
            Assert.Equal(201, response.Status);
        }

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }

    private async Task<Instance> StartInstanceAsync()
    {
        var requests = new TableRequestCounter();
        var app = await TestApp.StartAsync(azurite.ConnectionString, configure: builder => builder.Services.AddSingleton(requests.Registration));
        return new Instance(app, requests);
    }

    private static async Task<string[]> KnownGatewaysAsync(TestApp app, int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => "R" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..11]).ToArray();
        await app.Services.GetRequiredService<GatewayInventory>().ImportAsync(
            ids.Select(id => new InventoryRow(id, "abcdefghijk12", "GW-M001", "S" + id, ProductLine.MultiV2x)).ToList(), CancellationToken.None);
        return ids;
    }

    private static string Event(string gatewayId, long seq, DateTimeOffset ts) =>
        $$$"""{"v":1,"gatewayId":"{{{gatewayId}}}","seq":{{{seq}}},"ts":"{{{ts.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}}}","pv":{"w":{{{seq * 100}}}},"load":{"w":{{{seq * 100}}}}}""";

    private static async Task<Dictionary<string, TableEntity>> RollupsAsync(TestApp app, string gatewayId)
    {
        var rows = new Dictionary<string, TableEntity>();
        var table = await app.Services.TelemetryTableAsync(gatewayId, TelemetryRollups.TableName);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {gatewayId}")))
        {
            rows[row.RowKey] = row;
        }

        return rows;
    }

    /// <summary>
    /// The rollups a single writer would have made of these events (seq → ts, PV = seq × 100 W): each 5-minute row holds
    /// exactly its seqs, and every hour and day row is the sum of its parts.
    /// </summary>
    private static async Task AssertRollupsOfAsync(TestApp app, string gatewayId, params (long Seq, DateTimeOffset Ts)[] events)
    {
        var rows = await RollupsAsync(app, gatewayId);
        var buckets = events.GroupBy(e => TelemetryRollups.FiveMinuteKey(e.Ts)).ToDictionary(g => g.Key, g => g.ToList());
        var hours = events.GroupBy(e => TelemetryRollups.HourKey(e.Ts)).ToDictionary(g => g.Key, g => g.Select(e => TelemetryRollups.FiveMinuteKey(e.Ts)).Distinct().ToList());
        var days = events.GroupBy(e => TelemetryRollups.DayKey(e.Ts)).ToDictionary(g => g.Key, g => g.Select(e => TelemetryRollups.FiveMinuteKey(e.Ts)).Distinct().ToList());
        Assert.Equal(buckets.Keys.Concat(hours.Keys).Concat(days.Keys).Order(), rows.Keys.Order());

        double Energy(string bucket) => buckets[bucket].Average(e => e.Seq * 100.0) * 5 / 60 / 1000;
        foreach (var (key, bucketEvents) in buckets)
        {
            Assert.Equal(bucketEvents.Count, rows[key].GetInt32("Events"));
            Assert.Equal(bucketEvents.Average(e => e.Seq * 100.0), rows[key].GetNumber("PvAvgW")!.Value, 6);
        }

        foreach (var (key, parts) in hours.Concat(days))
        {
            Assert.Equal(parts.Count, rows[key].GetInt32("Buckets"));
            Assert.Equal(parts.Sum(Energy), rows[key].GetNumber("PvGeneratedKWh")!.Value, 9);
        }
    }

    [Fact]
    public async Task Steady_state_batches_read_no_rollups_and_write_one_transaction_per_gateway_also_in_a_new_bucket_and_hour()
    {
        await using var instance = await StartInstanceAsync();
        var gateways = await KnownGatewaysAsync(instance.App, 3);
        await instance.SendAsync([.. gateways.Select(g => Event(g, 1, Hour.AddMinutes(1)))]);

        (long Seq, DateTimeOffset Ts)[] steady = [(2, Hour.AddMinutes(2)), (3, Hour.AddMinutes(6)), (4, Hour.AddMinutes(61))];
        foreach (var (seq, ts) in steady)
        {
            instance.Requests.Reset();

            await instance.SendAsync([.. gateways.Select(g => Event(g, seq, ts))]);

            Assert.Equal((0L, 3L), (instance.Requests.Reads(TelemetryRollups.TableName), instance.Requests.Writes(TelemetryRollups.TableName)));
        }

        foreach (var gateway in gateways)
        {
            await AssertRollupsOfAsync(instance.App, gateway, [(1, Hour.AddMinutes(1)), .. steady]);
        }
    }

    [Fact]
    public async Task A_replayed_batch_writes_nothing()
    {
        await using var instance = await StartInstanceAsync();
        var gateway = (await KnownGatewaysAsync(instance.App, 1))[0];
        string[] batch = [Event(gateway, 1, Hour.AddMinutes(1)), Event(gateway, 2, Hour.AddMinutes(7))];
        await instance.SendAsync(batch);
        var before = await RollupsAsync(instance.App, gateway);
        instance.Requests.Reset();

        await instance.SendAsync(batch);

        Assert.Equal(0L, instance.Requests.Writes(TelemetryRollups.TableName));
        var after = await RollupsAsync(instance.App, gateway);
        Assert.Equal(before.ToDictionary(r => r.Key, r => r.Value.ETag), after.ToDictionary(r => r.Key, r => r.Value.ETag));
        await AssertRollupsOfAsync(instance.App, gateway, (1, Hour.AddMinutes(1)), (2, Hour.AddMinutes(7)));
    }

    [Fact]
    public async Task Another_instance_writing_behind_the_cache_neither_loses_nor_double_counts_an_event()
    {
        await using var a = await StartInstanceAsync();
        await using var b = await StartInstanceAsync();
        var gateway = (await KnownGatewaysAsync(a.App, 1))[0];
        var sent = new List<(long Seq, DateTimeOffset Ts)>();

        // Alternating instances, each with the other's writes missing from its cache: the same 5-minute row, a row the
        // other created in the hour, a new hour the other opened, a new bucket in that hour, and a late event.
        foreach (var (instance, seq, ts) in new[]
        {
            (a, 1L, Hour.AddMinutes(1)),
            (b, 2L, Hour.AddMinutes(2)),
            (a, 3L, Hour.AddMinutes(3)),
            (b, 4L, Hour.AddMinutes(7)),
            (a, 5L, Hour.AddMinutes(8)),
            (b, 6L, Hour.AddMinutes(61)),
            (a, 7L, Hour.AddMinutes(62)),
            (b, 8L, Hour.AddMinutes(66)),
            (a, 9L, Hour.AddMinutes(67)),
            (b, 10L, Hour.AddMinutes(4)),
            (a, 11L, Hour.AddMinutes(68)),
        })
        {
            await instance.SendAsync(Event(gateway, seq, ts));
            sent.Add((seq, ts));

            await AssertRollupsOfAsync(a.App, gateway, [.. sent]);
        }

        // A direct write behind both caches: the row's seqs say 12 was counted, which the next batch must respect.
        var table = await a.App.Services.TelemetryTableAsync(gateway, TelemetryRollups.TableName);
        var bucket = (await table.GetEntityAsync<TableEntity>(gateway, TelemetryRollups.FiveMinuteKey(Hour.AddMinutes(68)))).Value;
        Assert.Equal("8-9,11", bucket.GetString("Seqs"));
        bucket["Seqs"] = "8-9,11-12";
        await table.UpdateEntityAsync(bucket, bucket.ETag, TableUpdateMode.Replace);

        await a.SendAsync(Event(gateway, 12, Hour.AddMinutes(69)), Event(gateway, 13, Hour.AddMinutes(69)));

        var row = (await RollupsAsync(a.App, gateway))[TelemetryRollups.FiveMinuteKey(Hour.AddMinutes(68))];
        Assert.Equal("8-9,11-13", row.GetString("Seqs"));
        Assert.Equal(4, row.GetInt32("Events"));
    }

    [Fact]
    public async Task A_new_japan_day_starts_its_own_rows_and_keeps_the_old_day_whole()
    {
        await using var instance = await StartInstanceAsync();
        var gateway = (await KnownGatewaysAsync(instance.App, 1))[0];
        var endOfDay = new DateTimeOffset(2025, 6, 1, 14, 58, 0, TimeSpan.Zero);
        (long Seq, DateTimeOffset Ts)[] events = [(1, endOfDay), (2, endOfDay.AddMinutes(3)), (3, endOfDay.AddMinutes(4)), (4, endOfDay.AddMinutes(9))];

        foreach (var (seq, ts) in events)
        {
            await instance.SendAsync(Event(gateway, seq, ts));
        }

        await AssertRollupsOfAsync(instance.App, gateway, events);
        Assert.Equal(["1d-20250601", "1d-20250602"], (await RollupsAsync(instance.App, gateway)).Keys.Where(k => k.StartsWith("1d-", StringComparison.Ordinal)).Order());
    }
}
