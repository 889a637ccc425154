using System.Globalization;
using System.Text;
using KpNet.Simulator;
using KpNet.Telemetry;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Telemetry;

/// <summary>
/// The fast path must give exactly what <see cref="System.Text.Json.Utf8JsonReader"/> gives, or step aside. Each input is
/// parsed by a parser with the fast path and by one without, after the same earlier events (the units cache is per parser).
/// </summary>
public sealed class TelemetryParserFastPathTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private const string Canonical =
        """{"v":1,"gatewayId":"GW00009005PV","boot":1763700000,"seq":12345,"ts":"2026-11-21T10:00:00Z","model":"GW-M001","serial":"000009005PV","fw":"1.4.2","pv":{"w":3200},"battery":{"soc":78.5,"w":-1200,"tempC":31.2},"ev":{"connected":true,"soc":54,"w":3000},"grid":{"w":-500},"load":{"w":1500},"units":[{"no":1,"model":"KPV-A55-J4","serial":"00009005PV1","status":"run","faults":[]},{"no":2,"model":"KPV-A55-J4","serial":"00009005PV2","status":"fault","faults":["E101","E202"]}]}""";

    /// <summary>Properties a later firmware might add, at every level, in every JSON form.</summary>
    private const string WithUnknownProperties =
        """{"v":1,"future":{"a":[1,-2.5e-3,true,false,null,"x",[],{}],"b":{"c":{"d":[[0]]}}},"gatewayId":"GW00009005PV","seq":12345,"ts":"2026-11-21T10:00:00Z","pv":{"w":3200,"dc":[380.5,381E2]},"battery":{"soh":99,"soc":78.5,"w":-1200,"tempC":31.2,"cells":null},"ev":{"connected":false,"plug":"CHAdeMO"},"units":[{"no":1,"fw":"2.0","status":"run","faults":[],"temps":[41,42]}],"tail":0}""";

    public static TheoryData<string> Events => new() { Canonical, WithUnknownProperties };

    [Fact]
    public void Unknown_properties_at_every_level_keep_an_event_on_the_fast_path()
    {
        var (fast, slow) = Parsers();

        AssertSame(slow.Parse(Bytes(WithUnknownProperties)), fast.Parse(Bytes(WithUnknownProperties)), Bytes(WithUnknownProperties));
        Assert.Equal(1, fast.FastPathEvents);
    }

    [Fact]
    public void Every_simulated_event_takes_the_fast_path_and_reads_as_the_reader_reads_it()
    {
        var start = Now.AddHours(-6);
        var gateways = Enumerable.Range(0, 40)
            .Select(i => new SimulatedGateway(new DemoGateway($"FP{i:D10}", "GW-M001", $"0{i:D10}", i % 2 == 0 ? SimulatedProduct.MultiV2x : SimulatedProduct.KpacB)))
            .ToList();
        var events = new List<byte[]>();
        for (var round = 0; round < 150; round++)
        {
            var ts = start.AddMinutes(2 * round);
            events.AddRange(gateways.Select(g => Encoding.UTF8.GetBytes(g.Next(ts, ts, TimeSpan.FromMinutes(2), faults: true).ToJson())));
        }

        var (fast, slow) = Parsers();
        foreach (var json in events)
        {
            AssertSame(slow.Parse(json), fast.Parse(json), json);
        }

        Assert.Equal(events.Count, fast.FastPathEvents);
    }

    [Fact]
    public void The_api_example_with_its_whitespace_takes_the_fast_path()
    {
        var (fast, slow) = Parsers();

        AssertSame(slow.Parse(Bytes(TelemetryParserTests.ApiExample)), fast.Parse(Bytes(TelemetryParserTests.ApiExample)), Bytes(TelemetryParserTests.ApiExample));
        Assert.Equal(1, fast.FastPathEvents);
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_prefix_of_an_event_reads_as_the_reader_reads_it(string @event)
    {
        var json = Bytes(@event);
        for (var length = 0; length < json.Length; length++)
        {
            AssertSameAfterCanonical(json[..length]);
        }
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_byte_of_an_event_changed_to_a_character_that_matters_reads_as_the_reader_reads_it(string @event)
    {
        byte[] replacements = [(byte)'"', (byte)'\\', (byte)' ', (byte)'0', (byte)'9', (byte)'-', (byte)'.', (byte)'e', (byte)'x', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', 0x01, 0x7F, 0xC3, 0xE3];
        var json = Bytes(@event);
        for (var i = 0; i < json.Length; i++)
        {
            foreach (var replacement in replacements)
            {
                var changed = (byte[])json.Clone();
                changed[i] = replacement;
                AssertSameAfterCanonical(changed);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_byte_of_an_event_removed_or_doubled_reads_as_the_reader_reads_it(string @event)
    {
        var json = Bytes(@event);
        for (var i = 0; i < json.Length; i++)
        {
            AssertSameAfterCanonical([.. json[..i], .. json[(i + 1)..]]);
            AssertSameAfterCanonical([.. json[..(i + 1)], .. json[i..]]);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("01")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("+1")]
    [InlineData("- 1")]
    [InlineData("1e3")]
    [InlineData("1E-2")]
    [InlineData("0.1")]
    [InlineData("0.30000000000000004")]
    [InlineData("123456789012345")]
    [InlineData("1234567890123456")]
    [InlineData("99999.9999999999")]
    [InlineData("999999.999999999")]
    [InlineData("-999999.999999999")]
    [InlineData("1000000")]
    [InlineData("1000000.0000001")]
    [InlineData("-1000000.00000000")]
    [InlineData("0.000000000000001")]
    [InlineData("0.0000000000000001")]
    [InlineData("12.50")]
    [InlineData("100")]
    [InlineData("100.5")]
    [InlineData("150")]
    [InlineData("-50")]
    [InlineData("-50.01")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("\"1\"")]
    [InlineData("[1]")]
    public void Numbers_in_every_form_read_as_the_reader_reads_them(string number)
    {
        AssertSameAfterCanonical(Bytes(Canonical.Replace("\"w\":-1200", "\"w\":" + number, StringComparison.Ordinal)));
        AssertSameAfterCanonical(Bytes(Canonical.Replace("\"seq\":12345", "\"seq\":" + number, StringComparison.Ordinal)));
        AssertSameAfterCanonical(Bytes(Canonical.Replace("\"boot\":1763700000", "\"boot\":" + number, StringComparison.Ordinal)));
        AssertSameAfterCanonical(Bytes(Canonical.Replace("\"no\":2", "\"no\":" + number, StringComparison.Ordinal)));
        AssertSameAfterCanonical(Bytes(Canonical.Replace("\"v\":1", "\"v\":" + number, StringComparison.Ordinal)));
        AssertSameAfterCanonical(Bytes(Canonical.Replace("\"soc\":78.5", "\"soc\":" + number, StringComparison.Ordinal)));
        AssertSameAfterCanonical(Bytes(Canonical.Replace("\"tempC\":31.2", "\"tempC\":" + number, StringComparison.Ordinal)));
    }

    [Fact]
    public void Random_decimals_read_to_the_same_double_as_the_reader_gives()
    {
        var random = new Random(20261121);
        var (fast, slow) = Parsers();
        for (var i = 0; i < 20_000; i++)
        {
            var digits = random.Next(1, 17);
            var scale = random.Next(0, digits + 1);
            var mantissa = random.NextInt64(0, (long)Math.Pow(10, Math.Min(digits, 16)));
            var text = mantissa.ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
            var number = (random.Next(2) == 0 ? "-" : "") + (scale == 0 ? text : text[..^scale] + "." + text[^scale..]);
            var json = Bytes(Canonical.Replace("\"soc\":78.5,\"w\":-1200", "\"soc\":50,\"w\":" + number, StringComparison.Ordinal));

            AssertSame(slow.Parse(json), fast.Parse(json), json);
        }

        Assert.True(fast.FastPathEvents > 10_000, $"only {fast.FastPathEvents} of the random decimals took the fast path");
    }

    [Theory]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","seq":8}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","battery":{"w":1,"w":2}}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","units":[{"no":1,"no":2}]}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","units":[{"no":1},{"no":1}]}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","units":[{"status":"run"}]}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","future":{"a":[1,2]}}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","pv":{},"units":[]}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","pv":null}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00.5Z"}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-22T12:00:01Z"}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T12:05:00Z"}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T12:05:01Z"}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","boot":null,"seq":7,"ts":"2026-11-21T10:00:00Z"}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","boot":3,"seq":7,"ts":"2026-11-21T10:00:00Z","boot":4}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2019-12-31T23:59:59Z"}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","model":"\u30e2"}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","model":"モデル"}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","fw":"0123456789012345678901234567890123456789012345678901234567890123"}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","fw":"01234567890123456789012345678901234567890123456789012345678901234"}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","ev":{"connected":false}}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","ev":{"connected":tru}}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","battery":{"tempC":150,"soc":100}}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","battery":{"tempC":150.1}}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","pv":{"soc":5}}""")]
    [InlineData(""" {"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z"} """)]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z"}{}""")]
    [InlineData("""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z",}""")]
    [InlineData("""{}""")]
    [InlineData("""{"units":[{"no":1}],"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z"}""")]
    public void Shapes_the_fast_path_may_not_know_read_as_the_reader_reads_them(string json) => AssertSameAfterCanonical(Bytes(json));

    [Fact]
    public void Units_too_many_or_with_too_many_faults_read_as_the_reader_reads_them()
    {
        string Units(int count, int faults) => string.Join(',', Enumerable.Range(1, count).Select(i =>
            $$"""{"no":{{i}},"faults":[{{string.Join(',', Enumerable.Range(0, faults).Select(f => $"\"E{f}\""))}}]}"""));
        foreach (var (count, faults) in new[]
        {
            (TelemetryParser.MaxUnits, 1), (TelemetryParser.MaxUnits + 1, 0), (1, TelemetryParser.MaxFaults), (1, TelemetryParser.MaxFaults + 1),
            (4, TelemetryParser.MaxFaults / 4), (4, (TelemetryParser.MaxFaults / 4) + 1),
        })
        {
            AssertSameAfterCanonical(Bytes($$"""{"v":1,"gatewayId":"GW00009005PV","seq":7,"ts":"2026-11-21T10:00:00Z","units":[{{Units(count, faults)}}]}"""));
        }
    }

    [Fact]
    public void A_gateways_repeated_units_bytes_give_its_previous_units_and_changed_ones_are_read_again()
    {
        var (fast, slow) = Parsers();
        var first = fast.Parse(Bytes(Canonical)).Event!;
        slow.Parse(Bytes(Canonical));

        var again = Bytes(Canonical.Replace("\"seq\":12345", "\"seq\":12346", StringComparison.Ordinal));
        var repeated = fast.Parse(again);
        var changed = Bytes(Canonical.Replace("\"seq\":12345", "\"seq\":12347", StringComparison.Ordinal).Replace("\"E202\"", "\"E203\"", StringComparison.Ordinal));
        var afterChange = fast.Parse(changed);

        Assert.Same(first.Units, repeated.Event!.Units);
        AssertSame(slow.Parse(again), repeated, again);
        Assert.Equal(["E101", "E203"], afterChange.Event!.Units![1].Faults);
        AssertSame(slow.Parse(changed), afterChange, changed);
        Assert.Equal(3, fast.FastPathEvents);
    }

    [Fact]
    public void A_parser_kept_between_batches_reads_the_clock_each_batch_and_forgets_its_caches_past_their_bound()
    {
        var time = new FakeTimeProvider();
        var parser = new TelemetryParser(time);
        var now = time.GetUtcNow();
        string Event(int gateway, DateTimeOffset ts) => Canonical
            .Replace("GW00009005PV", $"GW{gateway:D10}", StringComparison.Ordinal)
            .Replace("2026-11-21T10:00:00Z", ts.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var aheadOfTheClock = now + TelemetryParser.MaxClockSkew + TimeSpan.FromMinutes(1);
        Assert.Equal(TelemetryRejectionReason.TimestampInFuture, parser.Parse(Bytes(Event(1, aheadOfTheClock))).Rejection.Reason);
        time.Advance(TimeSpan.FromMinutes(2));
        parser.StartBatch();
        Assert.True(parser.Parse(Bytes(Event(1, aheadOfTheClock))).IsValid);

        for (var gateway = 0; gateway <= TelemetryParser.MaxCachedEntries; gateway++)
        {
            Assert.True(parser.Parse(Bytes(Event(gateway, now))).IsValid);
        }

        Assert.True(parser.CachedGateways > TelemetryParser.MaxCachedEntries);
        parser.StartBatch();
        Assert.Equal(0, parser.CachedGateways);
        var slow = new TelemetryParser(time) { UseFastPath = false };
        AssertSame(slow.Parse(Bytes(Event(7, now))), parser.Parse(Bytes(Event(7, now))), Bytes(Event(7, now)));
    }

    private static (TelemetryParser Fast, TelemetryParser Slow) Parsers() =>
        (new TelemetryParser(new FixedTime(Now)), new TelemetryParser(new FixedTime(Now)) { UseFastPath = false });

    private static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);

    /// <summary>After the canonical event of the same gateway, so the units cache is in play too.</summary>
    private static void AssertSameAfterCanonical(byte[] json)
    {
        var (fast, slow) = Parsers();
        fast.Parse(Bytes(Canonical));
        slow.Parse(Bytes(Canonical));
        AssertSame(slow.Parse(json), fast.Parse(json), json);
    }

    private static void AssertSame(TelemetryParseResult expected, TelemetryParseResult actual, byte[] json) =>
        Assert.True(Describe(expected) == Describe(actual), $"{Encoding.UTF8.GetString(json)}\nreader:    {Describe(expected)}\nfast path: {Describe(actual)}");

    private static string Describe(TelemetryParseResult result)
    {
        if (result.Event is not { } e)
        {
            return $"rejected {result.Rejection} gateway {result.GatewayId}";
        }

        static string Number(double? value) => value is { } v ? $"{v:R}/{BitConverter.DoubleToInt64Bits(v):X}" : "-";
        var units = e.Units is null ? "-" : string.Join(";", e.Units.Select(u => $"{u.No},{u.Model},{u.Serial},{u.Status},[{string.Join(',', u.Faults)}]"));
        return $"{e.GatewayId} {e.Boot} {e.Seq} {e.Ts:O} {e.Model} {e.Serial} {e.Fw} pv {Number(e.Measurements[Measurement.PvW])} battery {Number(e.Measurements[Measurement.BatterySoc])} {Number(e.Measurements[Measurement.BatteryW])} {Number(e.Measurements[Measurement.BatteryTempC])} " +
            $"ev {e.Measurements.Flag(Measurement.EvConnected)} {Number(e.Measurements[Measurement.EvSoc])} {Number(e.Measurements[Measurement.EvW])} grid {Number(e.Measurements[Measurement.GridW])} load {Number(e.Measurements[Measurement.LoadW])} units {units}";
    }
}
