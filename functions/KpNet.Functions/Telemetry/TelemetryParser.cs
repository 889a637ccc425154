using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace KpNet.Telemetry;

/// <summary>The outcome of parsing one event: the event, or why it was rejected (with the gateway ID when it was readable).</summary>
public readonly record struct TelemetryParseResult(TelemetryEvent? Event, TelemetryRejection Rejection, string? GatewayId)
{
    public bool IsValid => Event is not null;
}

/// <summary>
/// Parses and validates telemetry events straight from their UTF-8 bytes: events in the shape gateways send go through a
/// byte scanner (<c>TelemetryParser.FastPath.cs</c>), and anything it does not vouch for — escapes, non-ASCII, nulls, unknown
/// or repeated properties, exponents, bad values — is parsed again from the start with <see cref="Utf8JsonReader"/>, which
/// alone decides rejections and their reasons. No DOM and no reflection serializer. Short strings (gateway IDs, models, serials, statuses, fault codes) are interned per parser, and
/// so are fault-free units and a gateway's unit list while it stays the same, so a batch of many events from a few
/// gateways allocates little more than the events themselves. Property names are matched by length and bytes, and the
/// fixed "yyyy-MM-ddTHH:mm:ssZ" timestamp gateways send is read without the general ISO-8601 parser.
/// Not thread-safe. A parser lives on from batch to batch of one partition (<see cref="TelemetryParserPool"/>), since a
/// gateway's events always arrive on the same partition: <see cref="StartBatch"/> reads the clock and keeps the caches
/// bounded.
/// </summary>
public sealed partial class TelemetryParser
{
    public const int SupportedVersion = 1;
    public const int MaxUnits = 32;
    public const int MaxUnitNo = 64;

    /// <summary>
    /// At most this many fault codes in an event, its units together. The status row keeps them all, and 32 units with
    /// this many of the longest codes, JSON-escaped, stay under the 64 KiB a string property holds (~52 KB); a gateway
    /// has at most 24 alerts open anyway (<see cref="Alerts.AlertEngine.MaxOpenAlerts"/>).
    /// </summary>
    public const int MaxFaults = 32;

    public const int MaxStringLength = 64;
    public static readonly DateTimeOffset EarliestTimestamp = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// How far ahead of our clock an event may be stamped: a gateway's clock set a little fast. It also bounds how long one
    /// event can hold a gateway's status and alerts, which follow the newest timestamp (<see cref="EventOrder"/>).
    /// </summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Past this many gateways, strings or units, the caches start again empty at the next batch.</summary>
    internal const int MaxCachedEntries = 32_768;
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 };

    // Escapes only shrink a name, so any name that fits escaped fits unescaped; ours are far shorter.
    private const int MaxPropertyNameBytes = 128;

    private readonly TimeProvider _time;
    private DateTimeOffset _now;

    // Reused rather than stackalloc'ed: zeroing 512 bytes for each of an event's half dozen strings showed in the profile.
    private readonly char[] _chars = new char[MaxStringLength * 4];
    private readonly byte[] _name = new byte[MaxPropertyNameBytes];
    private readonly AsciiInterner _ascii = new();
    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    // Keyed by the interned strings' identity: hashing them by value again showed in the profile, and a string that was
    // not interned only misses the cache.
    private readonly Dictionary<(int No, string? Model, string? Serial, string? Status), TelemetryUnit> _faultFreeUnits = new(UnitIdentity.Instance);
    private readonly Dictionary<string, LastUnits> _lastUnits = new(ReferenceEqualityComparer.Instance);
    private readonly List<TelemetryUnit> _units = [];
    private readonly List<string> _faults = [];

    public TelemetryParser(TimeProvider time)
    {
        _time = time;
        _now = time.GetUtcNow();
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Before each batch: the clock for the future-timestamp check, and the caches emptied once they grew too big.</summary>
    public void StartBatch()
    {
        _now = _time.GetUtcNow();
        if (_ascii.Count > MaxCachedEntries || _strings.Count > MaxCachedEntries || _faultFreeUnits.Count > MaxCachedEntries || _lastUnits.Count > MaxCachedEntries)
        {
            // Together: the unit caches are keyed by the identity of interned strings.
            _ascii.Clear();
            _strings.Clear();
            _faultFreeUnits.Clear();
            _lastUnits.Clear();
        }
    }

    /// <summary>Off only in tests, to compare the fast path with the reader on the same input.</summary>
    internal bool UseFastPath { get; init; } = true;

    /// <summary>How many events the fast path accepted: the rest went through <see cref="Utf8JsonReader"/>.</summary>
    internal long FastPathEvents { get; private set; }

    /// <summary>Gateways whose last units the parser remembers.</summary>
    internal int CachedGateways => _lastUnits.Count;

    public TelemetryParseResult Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (UseFastPath)
        {
            var scanned = new State(_now);
            if (TryScan(utf8Json, ref scanned))
            {
                FastPathEvents++;
                return Accepted(ref scanned, utf8Json);
            }
        }

        var state = new State(_now);
        try
        {
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            if (!reader.Read())
            {
                return Rejected(TelemetryRejectionReason.MalformedJson, "", null);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return Rejected(TelemetryRejectionReason.NotAnObject, "", null);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadTopLevelProperty(ref reader, ref state);
            }

            // Anything after the object (a second value, garbage) makes the reader throw.
            while (reader.Read())
            {
            }
        }
        catch (JsonException)
        {
            return Rejected(TelemetryRejectionReason.MalformedJson, "", state.GatewayId);
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 inside a string that had to be transcoded.
            return Rejected(TelemetryRejectionReason.MalformedJson, "", state.GatewayId);
        }

        if (state.Rejection is { } rejection)
        {
            return new TelemetryParseResult(null, rejection, state.GatewayId);
        }

        if (!state.HasVersion)
        {
            return Rejected(TelemetryRejectionReason.MissingField, "v", state.GatewayId);
        }

        if (state.GatewayId is null)
        {
            return Rejected(TelemetryRejectionReason.MissingField, "gatewayId", null);
        }

        if (state.Seq is null)
        {
            return Rejected(TelemetryRejectionReason.MissingField, "seq", state.GatewayId);
        }

        if (state.Ts is null)
        {
            return Rejected(TelemetryRejectionReason.MissingField, "ts", state.GatewayId);
        }

        return Accepted(ref state, utf8Json);
    }

    private TelemetryParseResult Accepted(ref State state, ReadOnlySpan<byte> utf8Json)
    {
        var gatewayId = state.GatewayId!;
        var telemetryEvent = new TelemetryEvent(state.Measurements)
        {
            GatewayId = gatewayId,
            Boot = state.Boot,
            Seq = state.Seq!.Value,
            Ts = state.Ts!.Value,
            Model = state.Model,
            Serial = state.Serial,
            Fw = state.Fw,
            Units = state.HasUnits ? state.KnownUnits ?? SharedUnits(gatewayId, state.UnitsJson(utf8Json)) : null,
        };
        return new TelemetryParseResult(telemetryEvent, default, gatewayId);
    }

    private static TelemetryParseResult Rejected(TelemetryRejectionReason reason, string field, string? gatewayId) =>
        new(null, new TelemetryRejection(reason, field), gatewayId);

    private void ReadTopLevelProperty(ref Utf8JsonReader reader, ref State state)
    {
        var property = TopLevelName(PropertyName(ref reader), out var block);
        reader.Read();
        switch (property)
        {
            case TopLevel.Version:
                state.HasVersion = true;
                if (reader.TokenType != JsonTokenType.Number)
                {
                    state.Reject(TelemetryRejectionReason.WrongType, "v");
                    reader.Skip();
                }
                else if (!reader.TryGetInt32(out var version) || version != SupportedVersion)
                {
                    state.Reject(TelemetryRejectionReason.UnsupportedVersion, "v");
                }

                break;
            case TopLevel.GatewayId:
                ReadGatewayId(ref reader, ref state);
                break;
            case TopLevel.Boot:
                if (reader.TokenType != JsonTokenType.Null)
                {
                    state.Boot = ReadCount(ref reader, ref state, "boot") ?? 0;
                }

                break;
            case TopLevel.Seq:
                state.Seq = ReadCount(ref reader, ref state, "seq");
                break;
            case TopLevel.Ts:
                ReadTimestamp(ref reader, ref state);
                break;
            case TopLevel.Model:
                state.Model = ReadOptionalString(ref reader, ref state, "model");
                break;
            case TopLevel.Serial:
                state.Serial = ReadOptionalString(ref reader, ref state, "serial");
                break;
            case TopLevel.Fw:
                state.Fw = ReadOptionalString(ref reader, ref state, "fw");
                break;
            case TopLevel.Units:
                ReadUnits(ref reader, ref state);
                break;
            case TopLevel.MeasurementBlock:
                ReadBlock(ref reader, ref state, block!);
                break;
            default:
                reader.Skip();
                break;
        }
    }

    /// <summary>A non-negative integer (seq, boot); anything else is rejected.</summary>
    private static long? ReadCount(ref Utf8JsonReader reader, ref State state, string field)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var count))
        {
            state.Reject(TelemetryRejectionReason.WrongType, field);
            reader.Skip();
            return null;
        }

        if (count < 0)
        {
            state.Reject(TelemetryRejectionReason.OutOfRange, field);
            return null;
        }

        return count;
    }

    /// <summary>The property name's UTF-8 bytes, unescaped when it had escapes; empty (matching nothing) when too long to be ours.</summary>
    private ReadOnlySpan<byte> PropertyName(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        return reader.ValueSpan.Length <= MaxPropertyNameBytes ? _name.AsSpan(0, reader.CopyString(_name)) : default;
    }

    /// <summary>Which top-level property the name is; for a block of measurements (<see cref="Measurement.Blocks"/>), which block.</summary>
    private static TopLevel TopLevelName(ReadOnlySpan<byte> name, out MeasurementBlock? block)
    {
        block = null;
        var property = name.Length switch
        {
            1 when name[0] == (byte)'v' => TopLevel.Version,
            2 when name.SequenceEqual("ts"u8) => TopLevel.Ts,
            2 when name.SequenceEqual("fw"u8) => TopLevel.Fw,
            3 when name.SequenceEqual("seq"u8) => TopLevel.Seq,
            4 when name.SequenceEqual("boot"u8) => TopLevel.Boot,
            5 when name.SequenceEqual("model"u8) => TopLevel.Model,
            5 when name.SequenceEqual("units"u8) => TopLevel.Units,
            6 when name.SequenceEqual("serial"u8) => TopLevel.Serial,
            9 when name.SequenceEqual("gatewayId"u8) => TopLevel.GatewayId,
            _ => TopLevel.Unknown,
        };
        if (property == TopLevel.Unknown && MeasurementBlock.Named(name) is { } measurements)
        {
            block = measurements;
            return TopLevel.MeasurementBlock;
        }

        return property;
    }

    private void ReadGatewayId(ref Utf8JsonReader reader, ref State state)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            state.Reject(TelemetryRejectionReason.WrongType, "gatewayId");
            reader.Skip();
            return;
        }

        if (reader.ValueIsEscaped || !IsGatewayId(reader.ValueSpan))
        {
            state.Reject(TelemetryRejectionReason.InvalidGatewayId, "gatewayId");
            return;
        }

        state.GatewayId = _ascii.Intern(reader.ValueSpan)!;
    }

    /// <summary>12 upper-case letters or digits (<see cref="Inventory.GatewayId.IsValid"/> on bytes).</summary>
    private static bool IsGatewayId(ReadOnlySpan<byte> value)
    {
        if (value.Length != 12)
        {
            return false;
        }

        foreach (var b in value)
        {
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')))
            {
                return false;
            }
        }

        return true;
    }

    private static void ReadTimestamp(ref Utf8JsonReader reader, ref State state)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            state.Reject(TelemetryRejectionReason.WrongType, "ts");
            reader.Skip();
            return;
        }

        if (!(!reader.ValueIsEscaped && TryReadUtcSeconds(reader.ValueSpan, out var ts))
            && (reader.ValueSpan.IndexOf((byte)'T') < 0 || !reader.TryGetDateTimeOffset(out ts) || ts.Offset != TimeSpan.Zero))
        {
            // Date and time, in UTC ("Z"), as api.md says all times are.
            state.Reject(TelemetryRejectionReason.InvalidTimestamp, "ts");
            return;
        }

        if (TimestampProblem(ts, state.Now) is { } problem)
        {
            state.Reject(problem, "ts");
        }
        else
        {
            state.Ts = ts;
        }
    }

    private static TelemetryRejectionReason? TimestampProblem(DateTimeOffset ts, DateTimeOffset now) =>
        ts < EarliestTimestamp ? TelemetryRejectionReason.TimestampTooOld
        : ts > now + MaxClockSkew ? TelemetryRejectionReason.TimestampInFuture
        : null;

    /// <summary>"yyyy-MM-ddTHH:mm:ssZ", what gateways send; anything else goes to the general parser.</summary>
    private static bool TryReadUtcSeconds(ReadOnlySpan<byte> s, out DateTimeOffset ts)
    {
        ts = default;
        if (s.Length != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        {
            return false;
        }

        var year = Digits(s, 0, 4);
        var month = Digits(s, 5, 2);
        var day = Digits(s, 8, 2);
        var hour = Digits(s, 11, 2);
        var minute = Digits(s, 14, 2);
        var second = Digits(s, 17, 2);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59)
        {
            return false;
        }

        ts = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    /// <returns>The number, or -1 when a byte is not a digit.</returns>
    private static int Digits(ReadOnlySpan<byte> s, int start, int count)
    {
        var value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = s[i] - (byte)'0';
            if ((uint)digit > 9)
            {
                return -1;
            }

            value = (value * 10) + digit;
        }

        return value;
    }

    private void ReadBlock(ref Utf8JsonReader reader, ref State state, MeasurementBlock block)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            state.Reject(TelemetryRejectionReason.WrongType, block.Name);
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var measurement = block.Field(PropertyName(ref reader));
            reader.Read();
            if (measurement is null)
            {
                reader.Skip();
            }
            else if (measurement.IsFlag)
            {
                ReadFlag(ref reader, ref state, measurement);
            }
            else
            {
                state.Measurements[measurement] = ReadNumber(ref reader, ref state, measurement);
            }
        }
    }

    /// <summary>true or false; null leaves the value as it was.</summary>
    private static void ReadFlag(ref Utf8JsonReader reader, ref State state, Measurement measurement)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True: state.Measurements.SetFlag(measurement, true); break;
            case JsonTokenType.False: state.Measurements.SetFlag(measurement, false); break;
            case JsonTokenType.Null: break;
            default:
                state.Reject(TelemetryRejectionReason.WrongType, measurement.Path);
                reader.Skip();
                break;
        }
    }

    private static double? ReadNumber(ref Utf8JsonReader reader, ref State state, Measurement measurement)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value))
        {
            state.Reject(TelemetryRejectionReason.WrongType, measurement.Path);
            reader.Skip();
            return null;
        }

        if (value < measurement.Min || value > measurement.Max || !double.IsFinite(value))
        {
            state.Reject(TelemetryRejectionReason.OutOfRange, measurement.Path);
            return null;
        }

        return value;
    }

    private void ReadUnits(ref Utf8JsonReader reader, ref State state)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            state.Reject(TelemetryRejectionReason.WrongType, "units");
            reader.Skip();
            return;
        }

        _units.Clear();
        state.HasUnits = true;
        ulong seen = 0;
        var faults = 0;
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (index >= MaxUnits)
            {
                state.Reject(TelemetryRejectionReason.TooLarge, "units");
                reader.Skip();
                index++;
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                state.Reject(TelemetryRejectionReason.WrongType, $"units[{index}]");
                reader.Skip();
                index++;
                continue;
            }

            var unit = ReadUnit(ref reader, ref state, index);
            if (unit is not null)
            {
                var bit = 1UL << (unit.No - 1);
                if ((seen & bit) != 0)
                {
                    state.Reject(TelemetryRejectionReason.DuplicateUnit, $"units[{index}].no");
                }

                seen |= bit;
                _units.Add(unit);
                faults += unit.Faults.Count;
                if (faults > MaxFaults)
                {
                    state.Reject(TelemetryRejectionReason.TooLarge, $"units[{index}].faults");
                }
            }

            index++;
        }
    }

    /// <summary>
    /// The units just read, as the same array as the gateway's previous event when nothing changed. Their JSON, when the
    /// fast path read them, is kept too, so the gateway's next event with the same bytes skips reading them.
    /// </summary>
    private TelemetryUnit[] SharedUnits(string gatewayId, ReadOnlySpan<byte> json)
    {
        ref var last = ref CollectionsMarshal.GetValueRefOrAddDefault(_lastUnits, gatewayId, out _);
        if (last.Units is null || !last.Units.AsSpan().SequenceEqual(CollectionsMarshal.AsSpan(_units)))
        {
            last = new LastUnits([.. _units], json.IsEmpty ? null : json.ToArray());
        }
        else if (last.Json is null && !json.IsEmpty)
        {
            last = last with { Json = json.ToArray() };
        }

        return last.Units;
    }

    /// <summary>A unit as read: fault-free ones (nearly all of them) shared between events.</summary>
    private TelemetryUnit Unit(int no, string? model, string? serial, string? status, string[] faults)
    {
        if (faults.Length > 0)
        {
            return new TelemetryUnit(no, model, serial, status, faults);
        }

        ref var unit = ref CollectionsMarshal.GetValueRefOrAddDefault(_faultFreeUnits, (no, model, serial, status), out _);
        return unit ??= new TelemetryUnit(no, model, serial, status, faults);
    }

    private TelemetryUnit? ReadUnit(ref Utf8JsonReader reader, ref State state, int index)
    {
        int? no = null;
        string? model = null, serial = null, status = null;
        string[] faults = [];
        var valid = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = PropertyName(ref reader);
            if (name is [(byte)'n', (byte)'o'])
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value))
                {
                    state.Reject(TelemetryRejectionReason.WrongType, $"units[{index}].no");
                    reader.Skip();
                    valid = false;
                }
                else if (value is < 1 or > MaxUnitNo)
                {
                    state.Reject(TelemetryRejectionReason.OutOfRange, $"units[{index}].no");
                    valid = false;
                }
                else
                {
                    no = value;
                }
            }
            else if (name.SequenceEqual("model"u8))
            {
                reader.Read();
                model = ReadOptionalString(ref reader, ref state, "units[].model", index);
            }
            else if (name.SequenceEqual("serial"u8))
            {
                reader.Read();
                serial = ReadOptionalString(ref reader, ref state, "units[].serial", index);
            }
            else if (name.SequenceEqual("status"u8))
            {
                reader.Read();
                status = ReadOptionalString(ref reader, ref state, "units[].status", index);
            }
            else if (name.SequenceEqual("faults"u8))
            {
                reader.Read();
                faults = ReadFaults(ref reader, ref state, index);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (no is null)
        {
            if (valid)
            {
                state.Reject(TelemetryRejectionReason.MissingField, $"units[{index}].no");
            }

            return null;
        }

        return Unit(no.Value, model, serial, status, faults);
    }

    private string[] ReadFaults(ref Utf8JsonReader reader, ref State state, int index)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            state.Reject(TelemetryRejectionReason.WrongType, $"units[{index}].faults");
            reader.Skip();
            return [];
        }

        List<string>? faults = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var code = ReadOptionalString(ref reader, ref state, "units[].faults[]", index);
            if (code is null)
            {
                continue;
            }

            faults ??= [];
            if (faults.Count >= MaxFaults)
            {
                state.Reject(TelemetryRejectionReason.TooLarge, $"units[{index}].faults");
                continue;
            }

            faults.Add(code);
        }

        return faults is null ? [] : [.. faults];
    }

    /// <summary>A short string (or null); anything else is rejected. <paramref name="field"/> may hold "[]" for the unit index.</summary>
    private string? ReadOptionalString(ref Utf8JsonReader reader, ref State state, string field, int unitIndex = -1)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            state.Reject(TelemetryRejectionReason.WrongType, FieldPath(field, unitIndex));
            reader.Skip();
            return null;
        }

        // UTF-8 never needs more chars than bytes, and escapes only shrink, so the byte length bounds the char count.
        const int maxBytes = MaxStringLength * 4;
        if (reader.ValueSpan.Length > maxBytes)
        {
            state.Reject(TelemetryRejectionReason.TooLarge, FieldPath(field, unitIndex));
            return null;
        }

        if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= MaxStringLength && _ascii.Intern(reader.ValueSpan) is { } ascii)
        {
            return ascii;
        }

        var chars = _chars.AsSpan();
        var length = reader.CopyString(chars);
        if (length > MaxStringLength)
        {
            state.Reject(TelemetryRejectionReason.TooLarge, FieldPath(field, unitIndex));
            return null;
        }

        return Intern(chars[..length]);
    }

    private static string FieldPath(string field, int unitIndex) =>
        unitIndex < 0 ? field : field.Replace("units[]", $"units[{unitIndex}]", StringComparison.Ordinal);

    private string Intern(ReadOnlySpan<char> chars)
    {
        if (_lookup.TryGetValue(chars, out var existing))
        {
            return existing;
        }

        var value = new string(chars);
        _strings.Add(value);
        return value;
    }

    /// <param name="Json">The units array's bytes when the fast path read it, else null.</param>
    private readonly record struct LastUnits(TelemetryUnit[] Units, byte[]? Json);

    private sealed class UnitIdentity : IEqualityComparer<(int No, string? Model, string? Serial, string? Status)>
    {
        public static readonly UnitIdentity Instance = new();

        public bool Equals((int No, string? Model, string? Serial, string? Status) x, (int No, string? Model, string? Serial, string? Status) y) =>
            x.No == y.No && ReferenceEquals(x.Model, y.Model) && ReferenceEquals(x.Serial, y.Serial) && ReferenceEquals(x.Status, y.Status);

        public int GetHashCode((int No, string? Model, string? Serial, string? Status) unit) =>
            HashCode.Combine(unit.No, RuntimeHelpers.GetHashCode(unit.Model), RuntimeHelpers.GetHashCode(unit.Serial), RuntimeHelpers.GetHashCode(unit.Status));
    }

    private enum TopLevel
    {
        Unknown,
        Version,
        GatewayId,
        Boot,
        Seq,
        Ts,
        Model,
        Serial,
        Fw,
        Units,

        /// <summary>One of <see cref="Measurement.Blocks"/>; last, as the fast path gives each block a bit of its own from here.</summary>
        MeasurementBlock,
    }

    private struct State(DateTimeOffset now)
    {
        public readonly DateTimeOffset Now = now;
        public TelemetryRejection? Rejection;
        public bool HasVersion;
        public string? GatewayId;
        public long Boot;
        public long? Seq;
        public DateTimeOffset? Ts;
        public string? Model;
        public string? Serial;
        public string? Fw;
        public Measurements Measurements;
        public bool HasUnits;

        /// <summary>The units, when the fast path found the gateway's previous units JSON again.</summary>
        public TelemetryUnit[]? KnownUnits;

        /// <summary>Where the fast path read the units array; empty when the reader did.</summary>
        public Range UnitsJsonRange;

        public readonly ReadOnlySpan<byte> UnitsJson(ReadOnlySpan<byte> utf8Json) => utf8Json[UnitsJsonRange];

        /// <summary>The first problem wins; reading goes on so the gateway ID is known for the dead letter.</summary>
        public void Reject(TelemetryRejectionReason reason, string field) => Rejection ??= new TelemetryRejection(reason, field);
    }
}
