using System.Text.Json;

namespace KpNet.Telemetry;

/// <summary>The outcome of parsing one event: the event, or why it was rejected (with the gateway ID when it was readable).</summary>
public readonly record struct TelemetryParseResult(TelemetryEvent? Event, TelemetryRejection Rejection, string? GatewayId)
{
    public bool IsValid => Event is not null;
}

/// <summary>
/// Parses and validates telemetry events straight from their UTF-8 bytes with <see cref="Utf8JsonReader"/>: no DOM and no
/// reflection serializer. Short strings (gateway IDs, models, serials, statuses, fault codes) are interned per parser, so a
/// batch of many events from a few gateways allocates them once. Not thread-safe: use one parser per batch or per thread.
/// </summary>
public sealed class TelemetryParser
{
    public const int SupportedVersion = 1;
    public const int MaxUnits = 32;
    public const int MaxUnitNo = 64;
    public const int MaxFaultsPerUnit = 32;
    public const int MaxStringLength = 64;
    public const double MaxAbsolutePowerW = 1_000_000;
    public const double MinTempC = -50;
    public const double MaxTempC = 150;
    public static readonly DateTimeOffset EarliestTimestamp = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromDays(1);

    private const int MaxInternedStrings = 50_000;
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 };

    private readonly TimeProvider _time;

    // Reused rather than stackalloc'ed: zeroing 512 bytes for each of an event's half dozen strings showed in the profile.
    private readonly char[] _chars = new char[MaxStringLength * 4];
    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public TelemetryParser(TimeProvider time)
    {
        _time = time;
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public TelemetryParseResult Parse(ReadOnlySpan<byte> utf8Json)
    {
        var state = new State(_time.GetUtcNow());
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

        if (state.Seq is not { } seq)
        {
            return Rejected(TelemetryRejectionReason.MissingField, "seq", state.GatewayId);
        }

        if (state.Ts is not { } ts)
        {
            return Rejected(TelemetryRejectionReason.MissingField, "ts", state.GatewayId);
        }

        var telemetryEvent = new TelemetryEvent
        {
            GatewayId = state.GatewayId,
            Seq = seq,
            Ts = ts,
            Model = state.Model,
            Serial = state.Serial,
            Fw = state.Fw,
            PvW = state.PvW,
            BatterySoc = state.BatterySoc,
            BatteryW = state.BatteryW,
            BatteryTempC = state.BatteryTempC,
            EvConnected = state.EvConnected,
            EvSoc = state.EvSoc,
            EvW = state.EvW,
            GridW = state.GridW,
            LoadW = state.LoadW,
            Units = state.Units,
        };
        return new TelemetryParseResult(telemetryEvent, default, state.GatewayId);
    }

    private static TelemetryParseResult Rejected(TelemetryRejectionReason reason, string field, string? gatewayId) =>
        new(null, new TelemetryRejection(reason, field), gatewayId);

    private void ReadTopLevelProperty(ref Utf8JsonReader reader, ref State state)
    {
        if (reader.ValueTextEquals("v"u8))
        {
            reader.Read();
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
        }
        else if (reader.ValueTextEquals("gatewayId"u8))
        {
            reader.Read();
            ReadGatewayId(ref reader, ref state);
        }
        else if (reader.ValueTextEquals("seq"u8))
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var seq))
            {
                state.Reject(TelemetryRejectionReason.WrongType, "seq");
                reader.Skip();
            }
            else if (seq < 0)
            {
                state.Reject(TelemetryRejectionReason.OutOfRange, "seq");
            }
            else
            {
                state.Seq = seq;
            }
        }
        else if (reader.ValueTextEquals("ts"u8))
        {
            reader.Read();
            ReadTimestamp(ref reader, ref state);
        }
        else if (reader.ValueTextEquals("model"u8))
        {
            reader.Read();
            state.Model = ReadOptionalString(ref reader, ref state, "model");
        }
        else if (reader.ValueTextEquals("serial"u8))
        {
            reader.Read();
            state.Serial = ReadOptionalString(ref reader, ref state, "serial");
        }
        else if (reader.ValueTextEquals("fw"u8))
        {
            reader.Read();
            state.Fw = ReadOptionalString(ref reader, ref state, "fw");
        }
        else if (reader.ValueTextEquals("pv"u8))
        {
            reader.Read();
            ReadBlock(ref reader, ref state, Block.Pv);
        }
        else if (reader.ValueTextEquals("battery"u8))
        {
            reader.Read();
            ReadBlock(ref reader, ref state, Block.Battery);
        }
        else if (reader.ValueTextEquals("ev"u8))
        {
            reader.Read();
            ReadBlock(ref reader, ref state, Block.Ev);
        }
        else if (reader.ValueTextEquals("grid"u8))
        {
            reader.Read();
            ReadBlock(ref reader, ref state, Block.Grid);
        }
        else if (reader.ValueTextEquals("load"u8))
        {
            reader.Read();
            ReadBlock(ref reader, ref state, Block.Load);
        }
        else if (reader.ValueTextEquals("units"u8))
        {
            reader.Read();
            ReadUnits(ref reader, ref state);
        }
        else
        {
            reader.Read();
            reader.Skip();
        }
    }

    private void ReadGatewayId(ref Utf8JsonReader reader, ref State state)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            state.Reject(TelemetryRejectionReason.WrongType, "gatewayId");
            reader.Skip();
            return;
        }

        var value = reader.ValueSpan;
        if (reader.ValueIsEscaped || value.Length != 12)
        {
            state.Reject(TelemetryRejectionReason.InvalidGatewayId, "gatewayId");
            return;
        }

        Span<char> chars = stackalloc char[12];
        for (var i = 0; i < 12; i++)
        {
            var b = value[i];
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')))
            {
                state.Reject(TelemetryRejectionReason.InvalidGatewayId, "gatewayId");
                return;
            }

            chars[i] = (char)b;
        }

        state.GatewayId = Intern(chars);
    }

    private static void ReadTimestamp(ref Utf8JsonReader reader, ref State state)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            state.Reject(TelemetryRejectionReason.WrongType, "ts");
            reader.Skip();
            return;
        }

        if (reader.ValueSpan.IndexOf((byte)'T') < 0 || !reader.TryGetDateTimeOffset(out var ts) || ts.Offset != TimeSpan.Zero)
        {
            // Date and time, in UTC ("Z"), as api.md says all times are.
            state.Reject(TelemetryRejectionReason.InvalidTimestamp, "ts");
            return;
        }

        if (ts < EarliestTimestamp)
        {
            state.Reject(TelemetryRejectionReason.TimestampTooOld, "ts");
        }
        else if (ts > state.Now + MaxClockSkew)
        {
            state.Reject(TelemetryRejectionReason.TimestampInFuture, "ts");
        }
        else
        {
            state.Ts = ts;
        }
    }

    private static void ReadBlock(ref Utf8JsonReader reader, ref State state, Block block)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            state.Reject(TelemetryRejectionReason.WrongType, BlockName(block));
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("w"u8))
            {
                reader.Read();
                var w = ReadNumber(ref reader, ref state, block, "w", -MaxAbsolutePowerW, MaxAbsolutePowerW);
                switch (block)
                {
                    case Block.Pv: state.PvW = w; break;
                    case Block.Battery: state.BatteryW = w; break;
                    case Block.Ev: state.EvW = w; break;
                    case Block.Grid: state.GridW = w; break;
                    case Block.Load: state.LoadW = w; break;
                }
            }
            else if (block is Block.Battery or Block.Ev && reader.ValueTextEquals("soc"u8))
            {
                reader.Read();
                var soc = ReadNumber(ref reader, ref state, block, "soc", 0, 100);
                if (block == Block.Battery)
                {
                    state.BatterySoc = soc;
                }
                else
                {
                    state.EvSoc = soc;
                }
            }
            else if (block == Block.Battery && reader.ValueTextEquals("tempC"u8))
            {
                reader.Read();
                state.BatteryTempC = ReadNumber(ref reader, ref state, block, "tempC", MinTempC, MaxTempC);
            }
            else if (block == Block.Ev && reader.ValueTextEquals("connected"u8))
            {
                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.True: state.EvConnected = true; break;
                    case JsonTokenType.False: state.EvConnected = false; break;
                    case JsonTokenType.Null: break;
                    default:
                        state.Reject(TelemetryRejectionReason.WrongType, "ev.connected");
                        reader.Skip();
                        break;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static double? ReadNumber(ref Utf8JsonReader reader, ref State state, Block block, string name, double min, double max)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value))
        {
            state.Reject(TelemetryRejectionReason.WrongType, BlockName(block) + "." + name);
            reader.Skip();
            return null;
        }

        if (value < min || value > max || !double.IsFinite(value))
        {
            state.Reject(TelemetryRejectionReason.OutOfRange, BlockName(block) + "." + name);
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

        var units = new List<TelemetryUnit>();
        ulong seen = 0;
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
                units.Add(unit);
            }

            index++;
        }

        state.Units = units;
    }

    private TelemetryUnit? ReadUnit(ref Utf8JsonReader reader, ref State state, int index)
    {
        int? no = null;
        string? model = null, serial = null, status = null;
        IReadOnlyList<string> faults = [];
        var valid = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("no"u8))
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
            else if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                model = ReadOptionalString(ref reader, ref state, "units[].model", index);
            }
            else if (reader.ValueTextEquals("serial"u8))
            {
                reader.Read();
                serial = ReadOptionalString(ref reader, ref state, "units[].serial", index);
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                status = ReadOptionalString(ref reader, ref state, "units[].status", index);
            }
            else if (reader.ValueTextEquals("faults"u8))
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

        return new TelemetryUnit(no.Value, model, serial, status, faults);
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
            if (faults.Count >= MaxFaultsPerUnit)
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
        if (_strings.Count < MaxInternedStrings)
        {
            _strings.Add(value);
        }

        return value;
    }

    private static string BlockName(Block block) => block switch
    {
        Block.Pv => "pv",
        Block.Battery => "battery",
        Block.Ev => "ev",
        Block.Grid => "grid",
        _ => "load",
    };

    private enum Block
    {
        Pv,
        Battery,
        Ev,
        Grid,
        Load,
    }

    private struct State(DateTimeOffset now)
    {
        public readonly DateTimeOffset Now = now;
        public TelemetryRejection? Rejection;
        public bool HasVersion;
        public string? GatewayId;
        public long? Seq;
        public DateTimeOffset? Ts;
        public string? Model;
        public string? Serial;
        public string? Fw;
        public double? PvW;
        public double? BatterySoc;
        public double? BatteryW;
        public double? BatteryTempC;
        public bool? EvConnected;
        public double? EvSoc;
        public double? EvW;
        public double? GridW;
        public double? LoadW;
        public List<TelemetryUnit>? Units;

        /// <summary>The first problem wins; reading goes on so the gateway ID is known for the dead letter.</summary>
        public void Reject(TelemetryRejectionReason reason, string field) => Rejection ??= new TelemetryRejection(reason, field);
    }
}
