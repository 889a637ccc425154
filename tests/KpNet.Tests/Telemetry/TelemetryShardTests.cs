using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using KpNet.Hosting;
using KpNet.Hosting.Invocation;
using KpNet.Inventory;
using KpNet.Telemetry;
using KpNet.Telemetry.Alerts;
using KpNet.Tests.Accounts;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Monitoring.MonitoredGateways;

namespace KpNet.Tests.Telemetry;

/// <summary>
/// The telemetry tables spread over the telemetry storage accounts (two in every test app, as in ./run.sh): a gateway's
/// rows are in the shard its ID hashes to when it first sends, every reader finds them there, the offline sweep covers
/// every shard, and adding a shard later moves no gateway.
/// </summary>
public sealed class TelemetryShardTests : IAsyncLifetime
{
    private static readonly string[] PinnedIds = ["GW00009005PV", "GW00009006PV", "ST0000000000", "ST0000001999"];

    private readonly FakeTimeProvider _clock = new();
    private string _storage = "";
    private TestApp _app = null!;

    // An account of each test's own: the clock the sweep test moves must not reach another test's gateways.
    public async Task InitializeAsync()
    {
        _storage = await AzuriteFixture.LeaseAccountAsync();
        _app = await StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<TestApp> StartAsync(IReadOnlyDictionary<string, string>? settings = null) =>
        TestApp.StartAsync(_storage, configure: b => b.Services.AddSingleton<TimeProvider>(_clock), settings: settings);

    private DateTimeOffset Now => new(_clock.GetUtcNow().Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    /// <summary>A new gateway ID that <see cref="TelemetryStorage.HashShard"/> puts in <paramref name="shard"/> of <paramref name="shardCount"/>.</summary>
    private static string IdInShard(int shard, int shardCount, Func<string, bool>? also = null)
    {
        while (true)
        {
            var id = NewGatewayId();
            if (TelemetryStorage.HashShard(id, shardCount) == shard && (also?.Invoke(id) ?? true))
            {
                return id;
            }
        }
    }

    private static async Task<List<TableEntity>> RowsAsync(TableClient table, string filter)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The gateway's rows in each telemetry table of one shard (GatewayLastSeen by RowKey, dead letters by their column).</summary>
    private static async Task<Dictionary<string, int>> RowCountsAsync(TelemetryTables shard, string gatewayId)
    {
        var counts = new Dictionary<string, int>();
        foreach (var table in TelemetryTables.Names)
        {
            var filter = table switch
            {
                GatewayLastSeen.TableName => TableClient.CreateQueryFilter($"RowKey eq {gatewayId}"),
                TelemetryDeadLetters.TableName => TableClient.CreateQueryFilter($"GatewayId eq {gatewayId}"),
                _ => TableClient.CreateQueryFilter($"PartitionKey eq {gatewayId}"),
            };
            counts[table] = (await RowsAsync(shard.Table(table), filter)).Count;
        }

        return counts;
    }

    private static async Task<int?> RecordedShardAsync(TestApp app, string gatewayId) =>
        (await app.Services.GetRequiredService<StorageAccount>().GetTableClient(GatewayInventory.TableName)
            .GetEntityAsync<TableEntity>(gatewayId, "")).Value.GetInt32(TelemetryStorage.ShardColumn);

    [Fact]
    public void A_gateway_ids_shard_is_a_fixed_function_of_the_id_and_spreads_ids_evenly()
    {
        // Pinned: the hash is ours (SHA-256), so every process and version puts a gateway where the first one did.
        Assert.Equal([0, 0, 0, 1], PinnedIds.Select(id => TelemetryStorage.HashShard(id, 2)));
        Assert.Equal([0, 2, 2, 1], PinnedIds.Select(id => TelemetryStorage.HashShard(id, 4)));

        // The telemetry-storage bench's 2,000 gateways over the 4 production accounts: the busiest within 1.1 × the average.
        var perShard = Enumerable.Range(0, 2000).GroupBy(i => TelemetryStorage.HashShard($"ST{i:D10}", 4)).Select(g => g.Count()).ToList();
        Assert.Equal(4, perShard.Count);
        Assert.InRange(perShard.Max(), 500, 550);
    }

    [Fact]
    public async Task Each_gateways_rows_are_in_the_shard_its_id_hashes_to_and_its_owner_reads_them_there()
    {
        var gateways = new[] { await CreateOwnedAsync(_app, IdInShard(0, 2)), await CreateOwnedAsync(_app, IdInShard(1, 2)) };
        var start = Now.AddMinutes(-10);
        foreach (var gateway in gateways)
        {
            await SendAsync(_app, Event(gateway.Id, 1, start), Event(gateway.Id, 2, start.AddMinutes(1), FaultyUnits("E101")));
            await SendAsync(_app, Event(gateway.Id, 3, start.AddMinutes(2), batterySoc: 150));
        }

        var shards = _app.Services.GetRequiredService<TelemetryStorage>().Shards;
        Assert.Equal(AzuriteProcess.TelemetryShards, shards.Count);
        foreach (var (gateway, shard) in gateways.Select((g, i) => (g, i)))
        {
            Assert.Equal(shard, await RecordedShardAsync(_app, gateway.Id));
            Assert.All(await RowCountsAsync(shards[shard], gateway.Id), table => Assert.True(table.Value > 0, $"{gateway.Id} has no rows in {table.Key} of shard {shard}"));
            Assert.All(await RowCountsAsync(shards[1 - shard], gateway.Id), table => Assert.Equal(0, table.Value));

            var status = await gateway.OwnerClient.GetFromJsonAsync<JsonElement>($"/api/gateways/{gateway.Id}/status");
            Assert.Equal(start.AddMinutes(1), status.GetProperty("ts").GetDateTimeOffset());
            var history = await gateway.OwnerClient.GetFromJsonAsync<JsonElement>(
                $"/api/gateways/{gateway.Id}/history?resolution=5m&from={Uri.EscapeDataString(start.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(start.AddHours(1).ToString("O"))}");
            Assert.NotEmpty(history.GetProperty("points").EnumerateArray());
            var alert = Assert.Single((await gateway.OwnerClient.GetFromJsonAsync<List<JsonElement>>($"/api/gateways/{gateway.Id}/alerts"))!);
            Assert.Equal("E101", alert.GetProperty("code").GetString());
        }

        // Account data stays in the main account, which holds none of the telemetry tables.
        var mainTables = new List<string>();
        await foreach (var table in _app.Services.GetRequiredService<StorageAccount>().GetTableServiceClient().QueryAsync())
        {
            mainTables.Add(table.Name);
        }

        Assert.Contains(GatewayInventory.TableName, mainTables);
        Assert.Empty(mainTables.Intersect(TelemetryTables.Names));
    }

    [Fact]
    public async Task The_offline_sweep_raises_loss_of_communication_for_silent_gateways_of_every_shard_and_the_warranty_counts_it()
    {
        var gateways = new[] { await CreateOwnedAsync(_app, IdInShard(0, 2)), await CreateOwnedAsync(_app, IdInShard(1, 2)) };
        foreach (var gateway in gateways)
        {
            await SendAsync(_app, Event(gateway.Id, 1, Now));
        }

        _clock.Advance(TimeSpan.FromMinutes(40));
        Assert.Equal(InvocationOutcome.Succeeded, (await _app.InvokeAsync(OfflineSweepFunction.Name, """{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""")).Outcome);

        foreach (var gateway in gateways)
        {
            var alert = Assert.Single((await gateway.OwnerClient.GetFromJsonAsync<List<JsonElement>>($"/api/gateways/{gateway.Id}/alerts"))!);
            Assert.Equal(AlertCatalogue.Offline, alert.GetProperty("code").GetString());
            var warranty = await _app.Services.GetRequiredService<ConnectivityRecords>().OfAsync([gateway.Id], CancellationToken.None);
            Assert.Equal((1, true), (warranty.OfflinePeriods, warranty.OfflineNow));
        }
    }

    [Fact]
    public async Task A_shard_added_later_takes_new_gateways_while_every_gateway_that_has_sent_stays_where_its_rows_are()
    {
        // Hashed over three shards it would move: it must not.
        var settled = await CreateOwnedAsync(_app, IdInShard(0, 2, id => TelemetryStorage.HashShard(id, 3) != 0));
        await SendAsync(_app, Event(settled.Id, 1, Now.AddMinutes(-2)));
        await _app.DisposeAsync();

        var added = await AzuriteFixture.LeaseAccountAsync();
        _app = await StartAsync(new Dictionary<string, string> { ["TelemetryStorage:Shards:2:connectionString"] = added });
        var shards = _app.Services.GetRequiredService<TelemetryStorage>().Shards;
        var fresh = await CreateOwnedAsync(_app, IdInShard(2, 3));
        Assert.Equal(HttpStatusCode.NotFound, (await fresh.OwnerClient.GetAsync($"/api/gateways/{fresh.Id}/status")).StatusCode);
        var latest = Now.AddMinutes(-1);
        await SendAsync(_app, Event(settled.Id, 2, latest), Event(fresh.Id, 1, latest));

        Assert.Equal(3, shards.Count);
        Assert.Equal(0, await RecordedShardAsync(_app, settled.Id));
        Assert.Equal(2, (await RowsAsync(shards[0].Status, TableClient.CreateQueryFilter($"PartitionKey eq {settled.Id}"))).Single().GetInt64("Seq"));
        Assert.Equal(2, await RecordedShardAsync(_app, fresh.Id));
        Assert.Single(await RowsAsync(shards[2].Status, TableClient.CreateQueryFilter($"PartitionKey eq {fresh.Id}")));
        Assert.Equal(latest, (await fresh.OwnerClient.GetFromJsonAsync<JsonElement>($"/api/gateways/{fresh.Id}/status")).GetProperty("ts").GetDateTimeOffset());
        Assert.Empty(await RowsAsync(shards[2].Status, TableClient.CreateQueryFilter($"PartitionKey eq {settled.Id}")));

        var client = await LoggedInClientAsync(_app, settled.Owner.Email, TestAccounts.DefaultPassword);
        Assert.Equal(latest, (await client.GetFromJsonAsync<JsonElement>($"/api/gateways/{settled.Id}/status")).GetProperty("ts").GetDateTimeOffset());
    }
}
