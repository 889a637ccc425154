using System.Text;
using KpNet.Telemetry;

namespace KpNet.Tests.Telemetry;

public sealed class TelemetryParserTests
{
    public const string ApiExample = """
        { "v": 1, "gatewayId": "GW00009005PV", "seq": 12345, "ts": "2026-11-21T10:00:00Z",
          "model": "GW-M001", "serial": "000009005PV", "fw": "1.4.2",
          "pv": {"w": 3200}, "battery": {"soc": 78.5, "w": -1200, "tempC": 31.2},
          "ev": {"connected": true, "soc": 54, "w": 3000}, "grid": {"w": -500}, "load": {"w": 1500},
          "units": [{"no": 1, "model": "KPV-A55-J4", "serial": "00009005PV1", "status": "run", "faults": []}] }
        """;

    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static TelemetryParseResult Parse(string json) => new TelemetryParser(new FixedTime(Now)).Parse(Encoding.UTF8.GetBytes(json));

    private static string Minimal(string extra = "") =>
        $$"""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z"{{extra}}}""";

    [Fact]
    public void The_api_example_is_accepted_with_every_value()
    {
        var result = Parse(ApiExample);

        Assert.True(result.IsValid, result.Rejection.ToString());
        var e = result.Event!;
        Assert.Equal("GW00009005PV", e.GatewayId);
        Assert.Equal(12345, e.Seq);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), e.Ts);
        Assert.Equal(("GW-M001", "000009005PV", "1.4.2"), (e.Model, e.Serial, e.Fw));
        Assert.Equal(3200, e.Measurements[Measurement.PvW]);
        Assert.Equal((78.5, -1200, 31.2), (e.Measurements[Measurement.BatterySoc]!.Value, e.Measurements[Measurement.BatteryW]!.Value, e.Measurements[Measurement.BatteryTempC]!.Value));
        Assert.Equal((true, 54, 3000), (e.Measurements.Flag(Measurement.EvConnected)!.Value, e.Measurements[Measurement.EvSoc]!.Value, e.Measurements[Measurement.EvW]!.Value));
        Assert.Equal((-500, 1500), (e.Measurements[Measurement.GridW]!.Value, e.Measurements[Measurement.LoadW]!.Value));
        var unit = Assert.Single(e.Units!);
        Assert.Equal((1, "KPV-A55-J4", "00009005PV1", "run"), (unit.No, unit.Model, unit.Serial, unit.Status));
        Assert.Empty(unit.Faults);
    }

    [Fact]
    public void Only_the_required_fields_make_a_valid_event_with_every_block_unknown()
    {
        var e = Parse(Minimal()).Event!;

        Assert.Equal((0L, 7L), (e.Boot, e.Seq));
        Assert.Null(e.Measurements[Measurement.PvW]);
        Assert.Null(e.Measurements[Measurement.BatterySoc]);
        Assert.Null(e.Measurements.Flag(Measurement.EvConnected));
        Assert.Null(e.Units);
        Assert.Null(e.Model);
    }

    [Fact]
    public void Unknown_fields_are_ignored_at_every_level()
    {
        var json = """
            {"future":{"nested":[1,{"a":[true,null]}]},"v":1,"gatewayId":"GW00009005PV","extra":"x","seq":8,
             "ts":"2026-11-21T10:00:00Z","pv":{"w":10,"voltage":{"dc":[380,381]}},"battery":{"soh":99,"soc":50},
             "units":[{"no":2,"firmware":{"v":"2"},"status":"stop","faults":["E101","E202"]}],"tail":[[[]]]}
            """;

        var result = Parse(json);

        Assert.True(result.IsValid, result.Rejection.ToString());
        Assert.Equal(10, result.Event!.Measurements[Measurement.PvW]);
        Assert.Equal(50, result.Event.Measurements[Measurement.BatterySoc]);
        var unit = Assert.Single(result.Event.Units!);
        Assert.Equal(2, unit.No);
        Assert.Equal("stop", unit.Status);
        Assert.Equal(["E101", "E202"], unit.Faults);
    }

    [Fact]
    public void Several_units_are_read_in_order_with_their_faults()
    {
        var result = Parse(Minimal(""","units":[{"no":2,"model":"KPV-B","serial":"S2","status":"fault","faults":["E7"]},{"no":1,"model":"KPV-A","serial":"S1","status":"run","faults":null}]"""));

        Assert.True(result.IsValid, result.Rejection.ToString());
        Assert.Equal([2, 1], result.Event!.Units!.Select(u => u.No));
        Assert.Equal(["E7"], result.Event.Units![0].Faults);
        Assert.Empty(result.Event.Units[1].Faults);
        Assert.Equal("KPV-A", result.Event.Units[1].Model);
    }

    [Theory]
    [InlineData(""","boot":3""", 3)]
    [InlineData(""","boot":1763719200""", 1763719200)]
    [InlineData(""","boot":9223372036854775807""", long.MaxValue)]
    [InlineData(""","boot":null""", 0)]
    public void The_boot_is_read_when_sent_and_0_when_absent(string extra, long boot) =>
        Assert.Equal(boot, Parse(Minimal(extra)).Event!.Boot);

    [Fact]
    public void Null_blocks_and_values_count_as_absent()
    {
        var result = Parse(Minimal(""","pv":null,"battery":{"soc":null,"w":5},"ev":{"connected":null},"units":null,"model":null"""));

        Assert.True(result.IsValid, result.Rejection.ToString());
        Assert.Null(result.Event!.Measurements[Measurement.PvW]);
        Assert.Null(result.Event.Measurements[Measurement.BatterySoc]);
        Assert.Equal(5, result.Event.Measurements[Measurement.BatteryW]);
        Assert.Null(result.Event.Units);
    }

    [Theory]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,""", "MalformedJson", "")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z"} trailing""", "MalformedJson", "")]
    [InlineData("", "MalformedJson", "")]
    [InlineData("""[{"v":1}]""", "NotAnObject", "")]
    [InlineData("\"just a string\"", "NotAnObject", "")]
    [InlineData("""{"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z"}""", "MissingField", "v")]
    [InlineData("""{"v":2,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z"}""", "UnsupportedVersion", "v")]
    [InlineData("""{"v":"1","gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z"}""", "WrongType", "v")]
    [InlineData("""{"v":1,"seq":7,"ts":"2026-11-21T10:00:00Z"}""", "MissingField", "gatewayId")]
    [InlineData("""{"v":1,"gatewayId":"gw00009005pv","seq":7,"ts":"2026-11-21T10:00:00Z"}""", "InvalidGatewayId", "gatewayId")]
    [InlineData("""{"v":1,"gatewayId":"GW0001","seq":7,"ts":"2026-11-21T10:00:00Z"}""", "InvalidGatewayId", "gatewayId")]
    [InlineData("""{"v":1,"gatewayId":12,"seq":7,"ts":"2026-11-21T10:00:00Z"}""", "WrongType", "gatewayId")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","ts":"2026-11-21T10:00:00Z"}""", "MissingField", "seq")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":"7","ts":"2026-11-21T10:00:00Z"}""", "WrongType", "seq")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7.5,"ts":"2026-11-21T10:00:00Z"}""", "WrongType", "seq")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":-1,"ts":"2026-11-21T10:00:00Z"}""", "OutOfRange", "seq")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","boot":-1,"seq":7,"ts":"2026-11-21T10:00:00Z"}""", "OutOfRange", "boot")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","boot":"3","seq":7,"ts":"2026-11-21T10:00:00Z"}""", "WrongType", "boot")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","boot":3.5,"seq":7,"ts":"2026-11-21T10:00:00Z"}""", "WrongType", "boot")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7}""", "MissingField", "ts")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":1763719200}""", "WrongType", "ts")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"yesterday"}""", "InvalidTimestamp", "ts")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T19:00:00+09:00"}""", "InvalidTimestamp", "ts")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-22T12:00:01Z"}""", "TimestampInFuture", "ts")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T12:05:01Z"}""", "TimestampInFuture", "ts")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2019-12-31T23:59:59Z"}""", "TimestampTooOld", "ts")]
    public void Bad_events_are_rejected_with_a_specific_reason(string json, string reason, string field)
    {
        var result = Parse(json);

        Assert.False(result.IsValid);
        Assert.Equal((reason, field), (result.Rejection.Reason.ToString(), result.Rejection.Field));
    }

    [Theory]
    [InlineData(""","pv":3200""", "WrongType", "pv")]
    [InlineData(""","pv":{"w":"3200"}""", "WrongType", "pv.w")]
    [InlineData(""","pv":{"w":1000001}""", "OutOfRange", "pv.w")]
    [InlineData(""","grid":{"w":-2e6}""", "OutOfRange", "grid.w")]
    [InlineData(""","load":{"w":1e400}""", "OutOfRange", "load.w")]
    [InlineData(""","battery":{"soc":100.5}""", "OutOfRange", "battery.soc")]
    [InlineData(""","battery":{"soc":-1}""", "OutOfRange", "battery.soc")]
    [InlineData(""","battery":{"tempC":151}""", "OutOfRange", "battery.tempC")]
    [InlineData(""","battery":{"tempC":-51}""", "OutOfRange", "battery.tempC")]
    [InlineData(""","battery":{"w":true}""", "WrongType", "battery.w")]
    [InlineData(""","ev":{"connected":"yes"}""", "WrongType", "ev.connected")]
    [InlineData(""","ev":{"soc":120}""", "OutOfRange", "ev.soc")]
    [InlineData(""","model":42""", "WrongType", "model")]
    [InlineData(""","units":{"no":1}""", "WrongType", "units")]
    [InlineData(""","units":[1]""", "WrongType", "units[0]")]
    [InlineData(""","units":[{"status":"run"}]""", "MissingField", "units[0].no")]
    [InlineData(""","units":[{"no":"1"}]""", "WrongType", "units[0].no")]
    [InlineData(""","units":[{"no":0}]""", "OutOfRange", "units[0].no")]
    [InlineData(""","units":[{"no":1},{"no":2},{"no":1}]""", "DuplicateUnit", "units[2].no")]
    [InlineData(""","units":[{"no":1,"faults":"E1"}]""", "WrongType", "units[0].faults")]
    [InlineData(""","units":[{"no":1,"faults":[101]}]""", "WrongType", "units[0].faults[]")]
    [InlineData(""","units":[{"no":1,"status":7}]""", "WrongType", "units[0].status")]
    public void Bad_values_are_rejected_naming_the_field(string extra, string reason, string field)
    {
        var result = Parse(Minimal(extra));

        Assert.False(result.IsValid);
        Assert.Equal((reason, field), (result.Rejection.Reason.ToString(), result.Rejection.Field));
        Assert.Equal("GW00009005PV", result.GatewayId);
    }

    [Fact]
    public void A_bad_value_before_the_gateway_id_still_reports_the_gateway()
    {
        var result = Parse("""{"battery":{"soc":900},"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z"}""");

        Assert.Equal(TelemetryRejectionReason.OutOfRange, result.Rejection.Reason);
        Assert.Equal("GW00009005PV", result.GatewayId);
    }

    [Fact]
    public void Oversized_strings_unit_lists_and_fault_lists_are_rejected_as_too_large()
    {
        var units = string.Join(',', Enumerable.Range(1, TelemetryParser.MaxUnits + 1).Select(i => $$"""{"no":{{i}}}"""));

        Assert.Equal(new TelemetryRejection(TelemetryRejectionReason.TooLarge, "fw"), Parse(Minimal($$""","fw":"{{new string('x', 65)}}" """)).Rejection);
        Assert.Equal(new TelemetryRejection(TelemetryRejectionReason.TooLarge, "units"), Parse(Minimal($$""","units":[{{units}}]""")).Rejection);
        Assert.Equal(new TelemetryRejection(TelemetryRejectionReason.TooLarge, "units[2].faults"), Parse(Minimal($$""","units":[{{Faulty(1, 16)}},{{Faulty(2, 16)}},{{Faulty(3, 1)}}]""")).Rejection);
        Assert.True(Parse(Minimal($$""","units":[{{Faulty(1, 16)}},{{Faulty(2, 16)}},{{Faulty(3, 0)}}]""")).IsValid);

        static string Faulty(int no, int faults) => $$"""{"no":{{no}},"faults":[{{string.Join(',', Enumerable.Range(0, faults).Select(f => $"\"E{f}\""))}}]}""";
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_malformed()
    {
        var bytes = Encoding.UTF8.GetBytes(Minimal(""","model":"AB" """)).ToArray();
        var at = Array.IndexOf(bytes, (byte)'A');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;

        var result = new TelemetryParser(new FixedTime(Now)).Parse(bytes);

        Assert.Equal(TelemetryRejectionReason.MalformedJson, result.Rejection.Reason);
    }

    [Fact]
    public void Gateway_ids_and_repeated_strings_are_shared_across_the_events_of_a_batch()
    {
        var parser = new TelemetryParser(new FixedTime(Now));

        var first = parser.Parse(Encoding.UTF8.GetBytes(Minimal(""","model":"GW-M001" """))).Event!;
        var second = parser.Parse(Encoding.UTF8.GetBytes(Minimal(""","model":"GW-M001" """))).Event!;

        Assert.Same(first.GatewayId, second.GatewayId);
        Assert.Same(first.Model, second.Model);
    }

    [Theory]
    [InlineData("2026-11-21T10:00:00Z", "2026-11-21T10:00:00.0000000+00:00")]
    [InlineData("2026-11-21T10:00:00.250Z", "2026-11-21T10:00:00.2500000+00:00")]
    [InlineData("2024-02-29T23:59:59Z", "2024-02-29T23:59:59.0000000+00:00")]
    [InlineData("2026-11-21T10:00:00+00:00", "2026-11-21T10:00:00.0000000+00:00")]
    [InlineData("2026-11-21T12:05:00Z", "2026-11-21T12:05:00.0000000+00:00")]
    public void Timestamps_in_utc_are_read_by_the_fast_path_or_the_general_parser(string ts, string expected)
    {
        var result = Parse($$"""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"{{ts}}"}""");

        Assert.True(result.IsValid, result.Rejection.ToString());
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), result.Event!.Ts);
    }

    [Theory]
    [InlineData("2026-02-29T10:00:00Z")]
    [InlineData("2026-11-31T10:00:00Z")]
    [InlineData("2026-13-01T10:00:00Z")]
    [InlineData("2026-11-21T24:00:00Z")]
    [InlineData("2026-11-21T10:60:00Z")]
    [InlineData("2026-11-21T10:00:60Z")]
    [InlineData("2026-11-2xT10:00:00Z")]
    [InlineData("2026-11-21T1x:00:00Z")]
    [InlineData("2026-11-21T10:0x:00Z")]
    [InlineData("2026-11-21T10:00:-1Z")]
    [InlineData("2026-11-21 10:00:00Z")]
    public void Impossible_timestamps_are_rejected_whichever_path_reads_them(string ts) =>
        Assert.Equal(new TelemetryRejection(TelemetryRejectionReason.InvalidTimestamp, "ts"), Parse($$"""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"{{ts}}"}""").Rejection);

    [Fact]
    public void Escaped_property_names_and_non_ascii_strings_are_read_like_plain_ones()
    {
        var result = Parse("""{"v":1,"g\u0061tewayId":"GW00009005PV","s\u0065q":7,"ts":"2026-11-21T10:00:00Z","model":"\u30e2\u30c7\u30eb","fw":"β-2","battery":{"t\u0065mpC":31.5},"units":[{"n\u006f":1,"status":"run"}]}""");

        Assert.True(result.IsValid, result.Rejection.ToString());
        Assert.Equal(("GW00009005PV", 7L, "モデル", "β-2", 31.5), (result.Event!.GatewayId, result.Event.Seq, result.Event.Model, result.Event.Fw, result.Event.Measurements[Measurement.BatteryTempC]!.Value));
        Assert.Equal(1, Assert.Single(result.Event.Units!).No);
    }

    [Fact]
    public void A_gateways_unchanged_units_are_shared_between_its_events_and_a_change_gives_a_new_list()
    {
        var parser = new TelemetryParser(new FixedTime(Now));
        TelemetryEvent ParseUnits(string units) => parser.Parse(Encoding.UTF8.GetBytes(Minimal(""","units":""" + units))).Event!;
        const string running = """[{"no":1,"model":"KPV","serial":"U1","status":"run","faults":[]},{"no":2,"model":"KPV","serial":"U2","status":"run"}]""";

        var first = ParseUnits(running);
        var second = ParseUnits(running);
        var faulted = ParseUnits("""[{"no":1,"model":"KPV","serial":"U1","status":"run","faults":[]},{"no":2,"model":"KPV","serial":"U2","status":"fault","faults":["E101"]}]""");

        Assert.Same(first.Units, second.Units);
        Assert.NotSame(first.Units, faulted.Units);
        Assert.Same(first.Units![0], faulted.Units![0]);
        Assert.Equal(["E101"], faulted.Units[1].Faults);
        Assert.Equal("run", ParseUnits(running).Units![1].Status);
    }
}

internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
