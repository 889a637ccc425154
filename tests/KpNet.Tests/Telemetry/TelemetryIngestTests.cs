using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using KpNet.Azure.EventHubs;
using KpNet.Azure.Storage.Tables;
using KpNet.Inventory;
using KpNet.Telemetry;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Telemetry;

public sealed class TelemetryIngestTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset BaseTime = new(DateTimeOffset.UtcNow.AddHours(-2).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private const string StatusTable = GatewayStatusEntity.TableName;

    private readonly TableRequestCounter _requests = new();
    private readonly TableFaults _faults = new();
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync(
            azurite.ConnectionString,
            settings: new Dictionary<string, string> { ["AzureFunctionsJobHost:extensions:eventHubs:maxEventBatchSize"] = "1000" },
            configure: builder => builder.Services.AddSingleton(_requests.Registration).AddSingleton(_faults.Registration));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private GatewayStatusStore Statuses => _app.Services.GetRequiredService<GatewayStatusStore>();

    private Task<TableClient> TableAsync(string gatewayId, string name) => _app.Services.TelemetryTableAsync(gatewayId, name);

    private static string NewGatewayId() => "T" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..11];

    private async Task<string[]> KnownGatewaysAsync(int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => NewGatewayId()).ToArray();
        await _app.Services.GetRequiredService<GatewayInventory>().ImportAsync(
            ids.Select(id => new InventoryRow(id, "abcdefghijk12", "GW-M001", "S" + id, ProductLine.MultiV2x)).ToList(), CancellationToken.None);
        return ids;
    }

    private static string Event(string gatewayId, long seq, DateTimeOffset ts, double pvW = 1000, string units = """[{"no":1,"model":"KPV-A55-J4","serial":"U1","status":"run","faults":[]}]""") =>
        $$"""
        {"v":1,"gatewayId":"{{gatewayId}}","seq":{{seq}},"ts":"{{ts.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}}",
         "model":"GW-M001","serial":"S{{gatewayId}}","fw":"1.4.{{seq}}",
         "pv":{"w":{{pvW.ToString(CultureInfo.InvariantCulture)}}},"battery":{"soc":50,"w":-100,"tempC":30},
         "ev":{"connected":true,"soc":40,"w":3000},"grid":{"w":-500},"load":{"w":1500},"units":{{units}}}
        """;

    private async Task SendAsync(IEnumerable<string> bodies)
    {
        var producer = new EventHubsProducerClient(_app.TelemetryConnectionString, new EventHubsProducerClientOptions { Retry = { MaxRetries = 0 } });
        var response = await producer.SendBatchAsync(OwnPublisher.Events(bodies));
        Assert.Equal(201, response.Status);
    }

    private async Task<TableEntity?> DeadLetterAsync(string body)
    {
        var rowKey = TelemetryDeadLetters.RowKeyFor(Encoding.UTF8.GetBytes(body));
        foreach (var entity in await _app.Services.QueryEveryShardAsync(TelemetryDeadLetters.TableName, TableClient.CreateQueryFilter($"RowKey eq {rowKey}")))
        {
            return entity;
        }

        return null;
    }

    [Fact]
    public async Task The_status_of_each_gateway_reflects_its_highest_seq_whatever_the_order_in_the_batch()
    {
        var (a, b) = (await KnownGatewaysAsync(2)) switch { var ids => (ids[0], ids[1]) };
        Assert.Null(await Statuses.GetAsync(a));

        await SendAsync([
            Event(a, 11, BaseTime.AddMinutes(2), pvW: 1100),
            Event(b, 5, BaseTime.AddMinutes(5), pvW: 500, units: """[{"no":1,"model":"KPV-A","serial":"B1","status":"run","faults":[]},{"no":2,"model":"KPV-B","serial":"B2","status":"fault","faults":["E101"]}]"""),
            Event(a, 12, BaseTime.AddMinutes(3), pvW: 1200),
            Event(a, 10, BaseTime.AddMinutes(1), pvW: 1000),
            Event(b, 4, BaseTime.AddMinutes(4), pvW: 400),
        ]);

        var statusA = (await Statuses.GetAsync(a))!;
        Assert.Equal((12L, BaseTime.AddMinutes(3), 1200.0), (statusA.Seq, statusA.Ts, statusA.Measurements[Measurement.PvW]!.Value));
        Assert.Equal((50.0, -100.0, 30.0, true, 40.0, 3000.0, -500.0, 1500.0),
            (statusA.Measurements[Measurement.BatterySoc]!.Value, statusA.Measurements[Measurement.BatteryW]!.Value, statusA.Measurements[Measurement.BatteryTempC]!.Value, statusA.Measurements.Flag(Measurement.EvConnected)!.Value, statusA.Measurements[Measurement.EvSoc]!.Value, statusA.Measurements[Measurement.EvW]!.Value, statusA.Measurements[Measurement.GridW]!.Value, statusA.Measurements[Measurement.LoadW]!.Value));
        Assert.Equal(("GW-M001", "S" + a, "1.4.12"), (statusA.Model, statusA.Serial, statusA.Fw));
        Assert.Equal(BaseTime.AddMinutes(1), statusA.FirstCommunicatedAt);

        var statusB = (await Statuses.GetAsync(b))!;
        Assert.Equal((5L, 500.0), (statusB.Seq, statusB.Measurements[Measurement.PvW]!.Value));
        Assert.Equal([new UnitStatus(1, "run", []), new UnitStatus(2, "fault", ["E101"])], statusB.Units, UnitStatusComparer.Instance);
        Assert.Equal([new UnitConfigurationEntry(1, "KPV-A", "B1"), new UnitConfigurationEntry(2, "KPV-B", "B2")], statusB.UnitConfiguration);
        Assert.Equal(BaseTime.AddMinutes(4), statusB.FirstCommunicatedAt);
    }

    [Fact]
    public async Task First_communication_is_set_by_the_first_event_and_later_events_do_not_move_it()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];

        await SendAsync([Event(gateway, 1, BaseTime)]);
        await SendAsync([Event(gateway, 2, BaseTime.AddMinutes(1)), Event(gateway, 3, BaseTime.AddMinutes(2))]);

        var status = (await Statuses.GetAsync(gateway))!;
        Assert.Equal(3, status.Seq);
        Assert.Equal(BaseTime, status.FirstCommunicatedAt);
    }

    [Fact]
    public async Task A_change_of_units_updates_the_unit_configuration()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];

        await SendAsync([Event(gateway, 1, BaseTime)]);
        await SendAsync([Event(gateway, 2, BaseTime.AddMinutes(1), units: """[{"no":1,"model":"KPV-A55-J4","serial":"U1-REPLACED","status":"run","faults":[]}]""")]);

        var status = (await Statuses.GetAsync(gateway))!;
        Assert.Equal([new UnitConfigurationEntry(1, "KPV-A55-J4", "U1-REPLACED")], status.UnitConfiguration);
    }

    [Fact]
    public async Task A_block_missing_from_the_newest_event_is_unknown_in_the_status_not_zero_or_stale()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];

        await SendAsync([Event(gateway, 1, BaseTime), $$"""{"v":1,"gatewayId":"{{gateway}}","seq":2,"ts":"{{BaseTime.AddMinutes(1).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}","pv":{"w":0} }"""]);

        var status = (await Statuses.GetAsync(gateway))!;
        Assert.Equal((2L, 0.0), (status.Seq, status.Measurements[Measurement.PvW]!.Value));
        Assert.Null(status.Measurements[Measurement.BatterySoc]);
        Assert.Null(status.Measurements.Flag(Measurement.EvConnected));
        Assert.Null(status.Measurements[Measurement.GridW]);
        Assert.Empty(status.Units);
        Assert.Equal("GW-M001", status.Model);
        Assert.Single(status.UnitConfiguration);
    }

    [Fact]
    public async Task Replaying_a_batch_writes_nothing()
    {
        var gateways = await KnownGatewaysAsync(2);
        var batch = gateways.SelectMany(g => new[] { Event(g, 1, BaseTime), Event(g, 2, BaseTime.AddMinutes(1)) }).ToList();
        await SendAsync(batch);
        var before = await Task.WhenAll(gateways.Select(g => Statuses.GetAsync(g)));
        _requests.Reset();

        await SendAsync(batch);

        var after = await Task.WhenAll(gateways.Select(g => Statuses.GetAsync(g)));
        Assert.Equal(before.Select(s => s!.ETag), after.Select(s => s!.ETag));
        Assert.Equal(before.Select(s => (s!.Seq, s.Ts, s.Measurements[Measurement.PvW], s.FirstCommunicatedAt, s.Fw)), after.Select(s => (s!.Seq, s.Ts, s.Measurements[Measurement.PvW], s.FirstCommunicatedAt, s.Fw)));
        Assert.Equal(0L, _requests.Writes(StatusTable));
    }

    [Fact]
    public async Task An_older_event_arriving_late_does_not_overwrite_newer_status()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        await SendAsync([Event(gateway, 1, BaseTime), Event(gateway, 10, BaseTime.AddMinutes(10), pvW: 1010)]);
        var before = (await Statuses.GetAsync(gateway))!;

        await SendAsync([Event(gateway, 9, BaseTime.AddMinutes(9), pvW: 909)]);

        var after = (await Statuses.GetAsync(gateway))!;
        Assert.Equal((10L, 1010.0, BaseTime.AddMinutes(10)), (after.Seq, after.Measurements[Measurement.PvW]!.Value, after.Ts));
        Assert.Equal(before.ETag, after.ETag);
    }

    [Fact]
    public async Task A_restarted_gateway_whose_seq_starts_again_at_1_updates_its_status()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        await SendAsync([Event(gateway, 1000, BaseTime, pvW: 1000)]);

        await SendAsync([Event(gateway, 1, BaseTime.AddMinutes(1), pvW: 1), Event(gateway, 2, BaseTime.AddMinutes(2), pvW: 2)]);

        var status = (await Statuses.GetAsync(gateway))!;
        Assert.Equal((2L, BaseTime.AddMinutes(2), 2.0, "1.4.2"), (status.Seq, status.Ts, status.Measurements[Measurement.PvW]!.Value, status.Fw));
    }

    [Fact]
    public async Task One_event_with_a_runaway_seq_does_not_stop_later_events_from_updating_the_status()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        await SendAsync([Event(gateway, long.MaxValue - 1, BaseTime, pvW: 999)]);

        await SendAsync([Event(gateway, 5, BaseTime.AddMinutes(1), pvW: 5)]);
        await SendAsync([Event(gateway, 6, BaseTime.AddMinutes(2), pvW: 6)]);

        var status = (await Statuses.GetAsync(gateway))!;
        Assert.Equal((6L, BaseTime.AddMinutes(2), 6.0), (status.Seq, status.Ts, status.Measurements[Measurement.PvW]!.Value));
    }

    [Fact]
    public async Task An_older_event_with_an_earlier_time_moves_first_communication_earlier_but_not_the_status()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        await SendAsync([Event(gateway, 10, BaseTime.AddMinutes(10), pvW: 1010)]);

        await SendAsync([Event(gateway, 3, BaseTime.AddMinutes(3), pvW: 303)]);

        var status = (await Statuses.GetAsync(gateway))!;
        Assert.Equal((10L, 1010.0), (status.Seq, status.Measurements[Measurement.PvW]!.Value));
        Assert.Equal(BaseTime.AddMinutes(3), status.FirstCommunicatedAt);
    }

    [Fact]
    public async Task Malformed_events_and_unknown_gateways_are_dead_lettered_with_reasons_and_the_rest_is_applied()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        var unknown = NewGatewayId();
        var malformed = """{"v":1,"gatewayId":"BROKEN""";
        var absurd = Event(gateway, 7, BaseTime).Replace("\"soc\":50", "\"soc\":150", StringComparison.Ordinal);
        var wrongType = Event(gateway, 8, BaseTime).Replace("\"seq\":8", "\"seq\":\"8\"", StringComparison.Ordinal);
        var stranger = Event(unknown, 1, BaseTime);
        var good = Event(gateway, 6, BaseTime, pvW: 606);

        await SendAsync([malformed, absurd, good, wrongType, stranger]);

        var status = (await Statuses.GetAsync(gateway))!;
        Assert.Equal((6L, 606.0), (status.Seq, status.Measurements[Measurement.PvW]!.Value));
        Assert.Null(await Statuses.GetAsync(unknown));

        var letters = new Dictionary<string, TableEntity?>
        {
            ["malformed"] = await DeadLetterAsync(malformed),
            ["absurd"] = await DeadLetterAsync(absurd),
            ["wrongType"] = await DeadLetterAsync(wrongType),
            ["stranger"] = await DeadLetterAsync(stranger),
        };
        Assert.All(letters, l => Assert.NotNull(l.Value));
        Assert.Equal(("MalformedJson", (string?)null), (letters["malformed"]!.GetString("Reason"), letters["malformed"]!.GetString("GatewayId")));
        Assert.Equal(("OutOfRange", "battery.soc", gateway), (letters["absurd"]!.GetString("Reason"), letters["absurd"]!.GetString("Field"), letters["absurd"]!.GetString("GatewayId")));
        Assert.Equal(("WrongType", "seq"), (letters["wrongType"]!.GetString("Reason"), letters["wrongType"]!.GetString("Field")));
        Assert.Equal(("UnknownGateway", unknown), (letters["stranger"]!.GetString("Reason"), letters["stranger"]!.GetString("GatewayId")));
        Assert.Equal(stranger, letters["stranger"]!.GetString("Body"));
        Assert.Equal(DateTimeOffset.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture), letters["stranger"]!.PartitionKey);
    }

    [Fact]
    public async Task Replaying_dead_lettered_events_does_not_duplicate_them()
    {
        var body = """{"v":1,"gatewayId":"NOT-AN-ID","seq":1}""" + Guid.NewGuid().ToString("N");

        await SendAsync([body]);
        await SendAsync([body, body]);

        var rowKey = TelemetryDeadLetters.RowKeyFor(Encoding.UTF8.GetBytes(body));
        var rows = (await _app.Services.QueryEveryShardAsync(TelemetryDeadLetters.TableName, TableClient.CreateQueryFilter($"RowKey eq {rowKey}"))).Count;

        Assert.Equal(1, rows);
    }

    [Fact]
    public async Task A_malformed_event_whose_partition_key_is_too_long_for_a_row_is_dead_lettered_with_the_key_cut_and_the_rest_is_applied()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        var malformed = """{"v":1,"gatewayId":""" + Guid.NewGuid().ToString("N");
        var longKey = string.Concat(Enumerable.Repeat("0123456789", 4_000));
        var producer = new EventHubsProducerClient(_app.TelemetryConnectionString, new EventHubsProducerClientOptions { Retry = { MaxRetries = 0 } });

        var response = await producer.SendBatchAsync([new OutgoingEvent(malformed, longKey), OwnPublisher.Event(Event(gateway, 1, BaseTime))]);

        Assert.Equal(201, response.Status);
        Assert.Equal(1, (await Statuses.GetAsync(gateway))!.Seq);
        var deadLetter = (await DeadLetterAsync(malformed))!;
        Assert.Equal(("MalformedJson", malformed), (deadLetter.GetString("Reason"), deadLetter.GetString("Body")));
        Assert.Equal((longKey[..TelemetryDeadLetters.MaxPartitionKeyChars], true), (deadLetter.GetString("EventPartitionKey"), deadLetter.GetBoolean("EventPartitionKeyTruncated")));
    }

    [Fact]
    public async Task A_batch_of_1000_events_for_10_gateways_writes_each_status_row_once()
    {
        var gateways = await KnownGatewaysAsync(10);
        var events = Enumerable.Range(0, 1000).Select(i => Event(gateways[i % 10], 100 + (i / 10), BaseTime.AddSeconds(i / 10))).ToList();
        _requests.Reset();

        await SendAsync(events);

        Assert.Equal(10L, _requests.Writes(StatusTable));
        var statuses = await Task.WhenAll(gateways.Select(g => Statuses.GetAsync(g)));
        Assert.All(statuses, s => Assert.Equal(199, s!.Seq));
        var rows = 0;
        foreach (var gateway in gateways)
        {
            await foreach (var _ in (await TableAsync(gateway, StatusTable)).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {gateway}")))
            {
                rows++;
            }
        }

        Assert.Equal(10, rows);
    }

    [Fact]
    public async Task Steady_state_batches_write_each_status_row_without_reading_it()
    {
        var gateways = await KnownGatewaysAsync(3);
        await SendAsync(gateways.Select(g => Event(g, 1, BaseTime)));

        foreach (var seq in new[] { 2, 3 })
        {
            _requests.Reset();

            await SendAsync(gateways.Select(g => Event(g, seq, BaseTime.AddMinutes(seq), pvW: seq * 100)));

            Assert.Equal((0L, 3L), (_requests.Reads(StatusTable), _requests.Writes(StatusTable)));
        }

        var statuses = await Task.WhenAll(gateways.Select(g => Statuses.GetAsync(g)));
        Assert.All(statuses, s => Assert.Equal((3, 300.0), (s!.Seq, s.Measurements[Measurement.PvW]!.Value)));
    }

    [Fact]
    public async Task A_status_row_another_instance_wrote_is_read_again_so_neither_instance_loses_the_newer_status()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        await using var other = await TestApp.StartAsync(azurite.ConnectionString);
        var otherProducer = new EventHubsProducerClient(other.TelemetryConnectionString, new EventHubsProducerClientOptions { Retry = { MaxRetries = 0 } });
        await SendAsync([Event(gateway, 1, BaseTime, pvW: 100)]);

        Assert.Equal(201, (await otherProducer.SendBatchAsync([OwnPublisher.Event(Event(gateway, 5, BaseTime.AddMinutes(5), pvW: 500))])).Status);
        await SendAsync([Event(gateway, 3, BaseTime.AddMinutes(-10), pvW: 300)]);

        var status = await Statuses.GetAsync(gateway);
        Assert.Equal((5, 500.0, BaseTime.AddMinutes(-10)), (status!.Seq, status.Measurements[Measurement.PvW]!.Value, status.FirstCommunicatedAt));

        _requests.Reset();
        await SendAsync([Event(gateway, 7, BaseTime.AddMinutes(7), pvW: 700)]);

        Assert.Equal((0L, 1L), (_requests.Reads(StatusTable), _requests.Writes(StatusTable)));
        Assert.Equal((7, 700.0), ((await Statuses.GetAsync(gateway))!.Seq, (await Statuses.GetAsync(gateway))!.Measurements[Measurement.PvW]!.Value));
    }

    [Fact]
    public async Task A_status_row_deleted_behind_the_cache_is_written_again_by_the_next_batch()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        await SendAsync([Event(gateway, 1, BaseTime)]);
        await (await TableAsync(gateway, StatusTable)).DeleteEntityAsync(gateway, "status", global::Azure.ETag.All);

        await SendAsync([Event(gateway, 2, BaseTime.AddMinutes(1), pvW: 200)]);

        var status = await Statuses.GetAsync(gateway);
        Assert.Equal((2, 200.0, BaseTime.AddMinutes(1)), (status!.Seq, status.Measurements[Measurement.PvW]!.Value, status.FirstCommunicatedAt));
    }

    [Fact]
    public async Task A_storage_failure_fails_the_invocation_and_the_retry_completes_the_batch_without_writing_twice()
    {
        var gateways = await KnownGatewaysAsync(3);
        _requests.Reset();
        _faults.FailNextWrites(StatusTable, 1);

        // The local hub answers 201 only after the function handled the batch: here on its retry, 2 s later.
        await SendAsync(gateways.Select(g => Event(g, 1, BaseTime)));

        var statuses = await Task.WhenAll(gateways.Select(g => Statuses.GetAsync(g)));
        Assert.All(statuses, s => Assert.Equal(1, s!.Seq));
        Assert.Equal(3L, _requests.Writes(StatusTable));
    }

    private async Task<Dictionary<string, TableEntity>> RollupsAsync(string gatewayId)
    {
        var rows = new Dictionary<string, TableEntity>();
        await foreach (var row in (await TableAsync(gatewayId, TelemetryRollups.TableName)).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {gatewayId}")))
        {
            rows[row.RowKey] = row;
        }

        return rows;
    }

    private static string Flows(string gatewayId, long seq, DateTimeOffset ts, double pvW, double gridW, double batteryW) =>
        $$$"""{"v":1,"gatewayId":"{{{gatewayId}}}","seq":{{{seq}}},"ts":"{{{ts.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}}}","pv":{"w":{{{pvW}}}},"grid":{"w":{{{gridW}}}},"battery":{"w":{{{batteryW}}},"soc":60},"load":{"w":{{{pvW + gridW + batteryW}}}}}""";

    [Fact]
    public async Task Rollups_hold_five_minute_averages_and_energies_summed_per_hour_and_day()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        var hour = new DateTimeOffset(DateTimeOffset.UtcNow.AddHours(-3).Date.AddHours(DateTimeOffset.UtcNow.AddHours(-3).Hour), TimeSpan.Zero);

        // First bucket: 5 one-minute samples, PV 1200 W, selling 600 W then buying 600 W, charging then discharging.
        // Second bucket: one sample.
        await SendAsync([
            .. Enumerable.Range(0, 5).Select(i => Flows(gateway, i + 1, hour.AddMinutes(i), 1200, i % 2 == 0 ? -600 : 600, i % 2 == 0 ? -300 : 300)),
            Flows(gateway, 6, hour.AddMinutes(5), 600, 0, 0),
        ]);

        var rows = await RollupsAsync(gateway);
        var first = rows[TelemetryRollups.FiveMinuteKey(hour)];
        Assert.Equal("1-5", first.GetString("Seqs"));
        Assert.Equal(1200, first.GetNumber("PvAvgW")!.Value, 6);
        Assert.Equal(0.1, first.GetNumber("PvGeneratedKWh")!.Value, 9);
        Assert.Equal(600.0 * 3 / 5 * 5 / 60 / 1000, first.GetNumber("SoldKWh")!.Value, 9);
        Assert.Equal(600.0 * 2 / 5 * 5 / 60 / 1000, first.GetNumber("BoughtKWh")!.Value, 9);
        Assert.Equal(300.0 * 3 / 5 * 5 / 60 / 1000, first.GetNumber("BatteryChargedKWh")!.Value, 9);
        Assert.Equal(60, first.GetNumber("BatterySocAvg")!.Value, 6);
        var hourRow = rows[TelemetryRollups.HourKey(hour)];
        Assert.Equal(0.1 + 0.05, hourRow.GetNumber("PvGeneratedKWh")!.Value, 9);
        Assert.Equal(2, hourRow.GetInt32("Buckets"));
        Assert.Equal(0.15, rows[TelemetryRollups.DayKey(hour)].GetNumber("PvGeneratedKWh")!.Value, 9);
    }

    [Fact]
    public async Task Replayed_and_duplicated_events_are_counted_into_rollups_once()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        var hour = new DateTimeOffset(DateTimeOffset.UtcNow.AddHours(-3).Date.AddHours(DateTimeOffset.UtcNow.AddHours(-3).Hour), TimeSpan.Zero);
        var batch = Enumerable.Range(0, 3).Select(i => Flows(gateway, i + 1, hour.AddMinutes(i), 1200, 0, 0)).ToList();
        await SendAsync(batch);
        var before = await RollupsAsync(gateway);

        await SendAsync(batch);
        await SendAsync([batch[1], batch[1]]);

        var after = await RollupsAsync(gateway);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, row => Assert.Equal(row.Value.ETag, after[row.Key].ETag));

        await SendAsync([batch[2], Flows(gateway, 4, hour.AddMinutes(3), 0, 0, 0)]);

        var bucket = (await RollupsAsync(gateway))[TelemetryRollups.FiveMinuteKey(hour)];
        Assert.Equal("1-4", bucket.GetString("Seqs"));
        Assert.Equal(4, bucket.GetInt32("Events"));
        Assert.Equal(900, bucket.GetNumber("PvAvgW")!.Value, 6);
    }

    [Fact]
    public async Task A_restart_within_a_five_minute_bucket_counts_the_events_of_both_boots_once_each_under_replays()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        var hour = new DateTimeOffset(DateTimeOffset.UtcNow.AddHours(-3).Date.AddHours(DateTimeOffset.UtcNow.AddHours(-3).Hour), TimeSpan.Zero);
        string Booted(long boot, long seq, int minute, double pvW) =>
            Flows(gateway, seq, hour.AddMinutes(minute), pvW, 0, 0).Replace("\"seq\":", $"\"boot\":{boot},\"seq\":", StringComparison.Ordinal);
        var beforeRestart = new[] { Booted(7, 1, 0, 100), Booted(7, 2, 1, 100), Booted(7, 3, 2, 100) };
        var afterRestart = new[] { Booted(8, 1, 3, 600), Booted(8, 2, 4, 600) };

        await SendAsync(beforeRestart);
        await SendAsync(afterRestart);
        await SendAsync([.. beforeRestart, .. afterRestart]);
        await SendAsync([afterRestart[0], beforeRestart[0]]);

        var bucket = (await RollupsAsync(gateway))[TelemetryRollups.FiveMinuteKey(hour)];
        Assert.Equal(5, bucket.GetInt32("Events"));
        Assert.Equal(300, bucket.GetNumber("PvAvgW")!.Value, 6);
        var status = (await Statuses.GetAsync(gateway))!;
        Assert.Equal((2L, hour.AddMinutes(4), 600.0), (status.Seq, status.Ts, status.Measurements[Measurement.PvW]!.Value));
    }

    [Fact]
    public async Task A_gateway_flooding_one_bucket_with_scattered_seqs_has_its_excess_set_aside_and_the_rest_of_the_batch_is_applied()
    {
        var (flooding, others) = (await KnownGatewaysAsync(3)) switch { var ids => (ids[0], ids[1..]) };
        var hour = new DateTimeOffset(DateTimeOffset.UtcNow.AddHours(-3).Date.AddHours(DateTimeOffset.UtcNow.AddHours(-3).Hour), TimeSpan.Zero);

        // 19-digit seqs, never consecutive: as a list of seqs the bucket's row would pass 64 KiB.
        var flood = Enumerable.Range(0, 1700).Select(i => Flows(flooding, 4_000_000_000_000_000_000 + (2L * i), hour.AddSeconds(i % 300), 1000, 0, 0)).ToList();
        var othersEvents = others.Select(g => Flows(g, 1, hour.AddMinutes(1), 500, 0, 0)).ToList();
        foreach (var request in new[] { [.. othersEvents, .. flood[..500]], flood[500..1000], flood[1000..1500], flood[1500..] })
        {
            await SendAsync(request);
        }

        await SendAsync(flood[..500]);

        Assert.All(await Task.WhenAll(others.Select(g => Statuses.GetAsync(g))), status => Assert.Equal((1L, 500.0), (status!.Seq, status.Measurements[Measurement.PvW]!.Value)));
        var bucket = (await RollupsAsync(flooding))[TelemetryRollups.FiveMinuteKey(hour)];
        Assert.Equal(TelemetryRollups.MaxEventsPerBucket, bucket.GetInt32("Events"));
        Assert.True(bucket.GetString("Seqs")!.Length * sizeof(char) < 64 * 1024);
        var setAside = new List<TableEntity>();
        await foreach (var row in (await TableAsync(flooding, TelemetryDeadLetters.TableName)).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"GatewayId eq {flooding}")))
        {
            setAside.Add(row);
        }

        Assert.Equal(flood.Count - TelemetryRollups.MaxEventsPerBucket, setAside.Count);
        Assert.All(setAside, row => Assert.Equal(nameof(TelemetryRejectionReason.RateExceeded), row.GetString("Reason")));

        // The status is the newest event counted, not one set aside.
        var lastCounted = TelemetryRollups.MaxEventsPerBucket - 1;
        var status = (await Statuses.GetAsync(flooding))!;
        Assert.Equal((4_000_000_000_000_000_000 + (2L * lastCounted), hour.AddSeconds(lastCounted)), (status.Seq, status.Ts));
    }

    [Fact]
    public async Task An_event_whose_fault_codes_would_not_fit_the_status_row_is_set_aside_as_too_large_and_counted_nowhere()
    {
        var gateway = (await KnownGatewaysAsync(1))[0];
        var hour = new DateTimeOffset(DateTimeOffset.UtcNow.AddHours(-3).Date.AddHours(DateTimeOffset.UtcNow.AddHours(-3).Hour), TimeSpan.Zero);
        var codes = string.Join(',', Enumerable.Range(0, 32).Select(f => $"\"E{f:D2}{new string('X', 61)}\""));
        var units = "[" + string.Join(',', Enumerable.Range(1, 32).Select(no => $$"""{"no":{{no}},"status":"fault","faults":[{{codes}}]}""")) + "]";
        var tooManyFaults = Event(gateway, 2, hour.AddMinutes(1), units: units);

        await SendAsync([Event(gateway, 1, hour), tooManyFaults]);

        Assert.Equal(1, (await Statuses.GetAsync(gateway))!.Seq);
        Assert.Equal(1, (await RollupsAsync(gateway))[TelemetryRollups.FiveMinuteKey(hour)].GetInt32("Events"));
        var deadLetter = (await DeadLetterAsync(tooManyFaults))!;
        Assert.Equal(("TooLarge", "units[1].faults"), (deadLetter.GetString("Reason"), deadLetter.GetString("Field")));
    }

    private sealed class UnitStatusComparer : IEqualityComparer<UnitStatus>
    {
        public static readonly UnitStatusComparer Instance = new();

        public bool Equals(UnitStatus? x, UnitStatus? y) =>
            x is not null && y is not null && x.UnitNo == y.UnitNo && x.Status == y.Status && x.Faults.SequenceEqual(y.Faults);

        public int GetHashCode(UnitStatus obj) => obj.UnitNo;
    }
}
