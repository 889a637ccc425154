using System.Buffers;

namespace KpNet.Telemetry;

/// <summary>
/// The fast path: one pass over the bytes for events in the shape gateways send (api.md), with or without whitespace, in
/// any property order, and with unknown properties (checked as the reader checks them, and skipped). It accepts only what
/// it can vouch for and answers false on anything else — escapes, non-ASCII or over-long strings, nulls where we read,
/// repeated properties, numbers with exponents or more than 15 digits, values the reader would reject — and <see cref="Parse"/> then reads the event again with <see cref="System.Text.Json.Utf8JsonReader"/>.
/// So the reader alone decides rejections, and an accepted event is the one the reader would have produced (proved by
/// TelemetryParserFastPathTests on every shape the tests know). A gateway's units array, when its bytes are the same
/// as in its previous event, is not read again.
/// </summary>
public sealed partial class TelemetryParser
{
    // Bytes that end a fast-path string: the quote, and everything that would need the reader (escapes, controls, non-ASCII).
    private static readonly SearchValues<byte> StringStops = SearchValues.Create(
        [(byte)'"', (byte)'\\', .. Enumerable.Range(0, 0x20).Select(b => (byte)b), .. Enumerable.Range(0x80, 0x80).Select(b => (byte)b)]);

    // Up to 15 digits fit a double's 53-bit mantissa exactly, as do these powers of ten, so digits / 10^k rounds once: to
    // the nearest double, the one the reader's (correctly rounding) parser gives.
    private const int MaxExactDigits = 15;

    // Unknown values nested deeper are left to the reader, whose MaxDepth (16) they could not reach from here.
    private const int MaxSkippedDepth = 8;
    private static readonly double[] PowersOfTen = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    private bool TryScan(ReadOnlySpan<byte> json, ref State state)
    {
        var scanner = new Scanner(json);
        if (!scanner.TryConsume((byte)'{'))
        {
            return false;
        }

        var seen = 0u;
        do
        {
            if (!scanner.TryReadPropertyName(out var name))
            {
                return false;
            }

            var property = TopLevelName(name, out var block);
            if (property == TopLevel.Unknown)
            {
                if (!scanner.TrySkipValue())
                {
                    return false;
                }

                continue;
            }

            var bit = 1u << ((int)property + (block?.Index ?? 0));
            if ((seen & bit) != 0
                || !(block is null ? TryScanTopLevelValue(ref scanner, ref state, property) : TryScanBlock(ref scanner, ref state, block)))
            {
                return false;
            }

            seen |= bit;
        }
        while (scanner.TryConsume((byte)','));

        return scanner.TryConsume((byte)'}') && scanner.AtEnd()
            && state.HasVersion && state.GatewayId is not null && state.Seq is not null && state.Ts is not null;
    }

    private bool TryScanTopLevelValue(ref Scanner scanner, ref State state, TopLevel property)
    {
        switch (property)
        {
            case TopLevel.Version:
                state.HasVersion = true;
                return scanner.TryReadInteger(out var version) && version == SupportedVersion;
            case TopLevel.GatewayId:
                if (!scanner.TryReadString(out var gatewayId) || !IsGatewayId(gatewayId))
                {
                    return false;
                }

                state.GatewayId = _ascii.Intern(gatewayId);
                return true;
            case TopLevel.Boot:
                return scanner.TryReadInteger(out state.Boot);
            case TopLevel.Seq:
                if (!scanner.TryReadInteger(out var seq))
                {
                    return false;
                }

                state.Seq = seq;
                return true;
            case TopLevel.Ts:
                if (!scanner.TryReadString(out var text) || !TryReadUtcSeconds(text, out var ts) || TimestampProblem(ts, state.Now) is not null)
                {
                    return false;
                }

                state.Ts = ts;
                return true;
            case TopLevel.Model:
                return TryScanString(ref scanner, out state.Model);
            case TopLevel.Serial:
                return TryScanString(ref scanner, out state.Serial);
            case TopLevel.Fw:
                return TryScanString(ref scanner, out state.Fw);
            case TopLevel.Units:
                return TryScanUnits(ref scanner, ref state);
            default:
                return false;
        }
    }

    /// <summary>A short ASCII string, interned as the reader's path would intern it.</summary>
    private bool TryScanString(ref Scanner scanner, out string? value)
    {
        value = null;
        if (!scanner.TryReadString(out var bytes) || bytes.Length > MaxStringLength)
        {
            return false;
        }

        value = _ascii.Intern(bytes);
        return true;
    }

    private static bool TryScanBlock(ref Scanner scanner, ref State state, MeasurementBlock block)
    {
        if (!scanner.TryConsume((byte)'{'))
        {
            return false;
        }

        if (scanner.TryConsume((byte)'}'))
        {
            return true;
        }

        var seen = 0;
        do
        {
            if (!scanner.TryReadPropertyName(out var name))
            {
                return false;
            }

            if (block.Field(name) is not { } measurement)
            {
                if (!scanner.TrySkipValue())
                {
                    return false;
                }

                continue;
            }

            if (measurement.IsFlag)
            {
                if (!scanner.TryReadBoolean(out var flag))
                {
                    return false;
                }

                state.Measurements.SetFlag(measurement, flag);
            }
            else
            {
                if (!scanner.TryReadNumber(out var value) || value < measurement.Min || value > measurement.Max)
                {
                    return false;
                }

                state.Measurements[measurement] = value;
            }

            var bit = 1 << measurement.Slot;
            if ((seen & bit) != 0)
            {
                return false;
            }

            seen |= bit;
        }
        while (scanner.TryConsume((byte)','));

        return scanner.TryConsume((byte)'}');
    }

    private bool TryScanUnits(ref Scanner scanner, ref State state)
    {
        scanner.SkipWhitespace();
        var start = scanner.Position;
        if (state.GatewayId is { } gatewayId && _lastUnits.TryGetValue(gatewayId, out var last) && last.Json is { } json
            && scanner.TrySkip(json))
        {
            // A JSON value ends where its own bytes say, so the same bytes are the same (already validated) array.
            state.HasUnits = true;
            state.KnownUnits = last.Units;
            return true;
        }

        if (!scanner.TryConsume((byte)'['))
        {
            return false;
        }

        _units.Clear();
        state.HasUnits = true;
        if (!scanner.TryConsume((byte)']'))
        {
            var seenNumbers = 0UL;
            var faults = 0;
            do
            {
                if (_units.Count == MaxUnits || !TryScanUnit(ref scanner, out var unit) || (seenNumbers & (1UL << (unit.No - 1))) != 0)
                {
                    return false;
                }

                faults += unit.Faults.Count;
                if (faults > MaxFaults)
                {
                    return false;
                }

                seenNumbers |= 1UL << (unit.No - 1);
                _units.Add(unit);
            }
            while (scanner.TryConsume((byte)','));

            if (!scanner.TryConsume((byte)']'))
            {
                return false;
            }
        }

        state.UnitsJsonRange = start..scanner.Position;
        return true;
    }

    private bool TryScanUnit(ref Scanner scanner, out TelemetryUnit unit)
    {
        unit = null!;
        if (!scanner.TryConsume((byte)'{'))
        {
            return false;
        }

        long? no = null;
        string? model = null, serial = null, status = null;
        string[] faults = [];
        var seen = 0;
        do
        {
            if (!scanner.TryReadPropertyName(out var name))
            {
                return false;
            }

            int bit;
            if (name is [(byte)'n', (byte)'o'])
            {
                bit = 1;
                if (!scanner.TryReadInteger(out var value) || value is < 1 or > MaxUnitNo)
                {
                    return false;
                }

                no = value;
            }
            else if (name.SequenceEqual("model"u8))
            {
                bit = 2;
                if (!TryScanString(ref scanner, out model))
                {
                    return false;
                }
            }
            else if (name.SequenceEqual("serial"u8))
            {
                bit = 4;
                if (!TryScanString(ref scanner, out serial))
                {
                    return false;
                }
            }
            else if (name.SequenceEqual("status"u8))
            {
                bit = 8;
                if (!TryScanString(ref scanner, out status))
                {
                    return false;
                }
            }
            else if (name.SequenceEqual("faults"u8))
            {
                bit = 16;
                if (!TryScanFaults(ref scanner, out faults))
                {
                    return false;
                }
            }
            else
            {
                if (!scanner.TrySkipValue())
                {
                    return false;
                }

                continue;
            }

            if ((seen & bit) != 0)
            {
                return false;
            }

            seen |= bit;
        }
        while (scanner.TryConsume((byte)','));

        if (no is null || !scanner.TryConsume((byte)'}'))
        {
            return false;
        }

        unit = Unit((int)no.Value, model, serial, status, faults);
        return true;
    }

    private bool TryScanFaults(ref Scanner scanner, out string[] faults)
    {
        faults = [];
        if (!scanner.TryConsume((byte)'['))
        {
            return false;
        }

        if (scanner.TryConsume((byte)']'))
        {
            return true;
        }

        _faults.Clear();
        do
        {
            if (_faults.Count == MaxFaults || !TryScanString(ref scanner, out var code))
            {
                return false;
            }

            _faults.Add(code!);
        }
        while (scanner.TryConsume((byte)','));

        if (!scanner.TryConsume((byte)']'))
        {
            return false;
        }

        faults = [.. _faults];
        return true;
    }

    /// <summary>
    /// Reads JSON tokens of the subset the fast path handles. Every method answers false, without a reliable position, on
    /// anything outside it; callers then give up on the whole event.
    /// </summary>
    private ref struct Scanner(ReadOnlySpan<byte> json)
    {
        private readonly ReadOnlySpan<byte> _json = json;
        private int _position;

        public readonly int Position => _position;

        public void SkipWhitespace()
        {
            while (_position < _json.Length && _json[_position] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                _position++;
            }
        }

        public bool AtEnd()
        {
            SkipWhitespace();
            return _position == _json.Length;
        }

        public bool TryConsume(byte expected)
        {
            SkipWhitespace();
            if (_position < _json.Length && _json[_position] == expected)
            {
                _position++;
                return true;
            }

            return false;
        }

        /// <summary>Skips <paramref name="bytes"/> when the input goes on with exactly them.</summary>
        public bool TrySkip(ReadOnlySpan<byte> bytes)
        {
            if (_json[_position..].StartsWith(bytes))
            {
                _position += bytes.Length;
                return true;
            }

            return false;
        }

        /// <summary>A string of printable ASCII without escapes: its bytes, without the quotes.</summary>
        public bool TryReadString(out ReadOnlySpan<byte> value)
        {
            value = default;
            if (!TryConsume((byte)'"'))
            {
                return false;
            }

            var length = _json[_position..].IndexOfAny(StringStops);
            if (length < 0 || _json[_position + length] != (byte)'"')
            {
                return false;
            }

            value = _json.Slice(_position, length);
            _position += length + 1;
            return true;
        }

        public bool TryReadPropertyName(out ReadOnlySpan<byte> name) => TryReadString(out name) && TryConsume((byte)':');

        /// <summary>Any value the reader would accept, nested a few levels at most (deeper ones are left to the reader).</summary>
        public bool TrySkipValue(int depth = 0)
        {
            SkipWhitespace();
            if (_position == _json.Length)
            {
                return false;
            }

            switch (_json[_position])
            {
                case (byte)'"':
                    return TryReadString(out _);
                case (byte)'{':
                    if (depth == MaxSkippedDepth)
                    {
                        return false;
                    }

                    _position++;
                    if (TryConsume((byte)'}'))
                    {
                        return true;
                    }

                    do
                    {
                        if (!TryReadPropertyName(out _) || !TrySkipValue(depth + 1))
                        {
                            return false;
                        }
                    }
                    while (TryConsume((byte)','));

                    return TryConsume((byte)'}');
                case (byte)'[':
                    if (depth == MaxSkippedDepth)
                    {
                        return false;
                    }

                    _position++;
                    if (TryConsume((byte)']'))
                    {
                        return true;
                    }

                    do
                    {
                        if (!TrySkipValue(depth + 1))
                        {
                            return false;
                        }
                    }
                    while (TryConsume((byte)','));

                    return TryConsume((byte)']');
                case (byte)'t':
                    return TrySkip("true"u8);
                case (byte)'f':
                    return TrySkip("false"u8);
                case (byte)'n':
                    return TrySkip("null"u8);
                default:
                    return TrySkipNumber();
            }
        }

        /// <summary>A number in JSON's grammar, exponents and any length included.</summary>
        private bool TrySkipNumber()
        {
            var p = _position;
            if (p < _json.Length && _json[p] == (byte)'-')
            {
                p++;
            }

            if (p < _json.Length && _json[p] == (byte)'0')
            {
                p++;
            }
            else if (!TrySkipDigits(ref p))
            {
                return false;
            }

            if (p < _json.Length && _json[p] == (byte)'.')
            {
                p++;
                if (!TrySkipDigits(ref p))
                {
                    return false;
                }
            }

            if (p < _json.Length && (_json[p] | 0x20) == (byte)'e')
            {
                p++;
                if (p < _json.Length && _json[p] is (byte)'+' or (byte)'-')
                {
                    p++;
                }

                if (!TrySkipDigits(ref p))
                {
                    return false;
                }
            }

            _position = p;
            return true;
        }

        private readonly bool TrySkipDigits(ref int p)
        {
            var start = p;
            while (p < _json.Length && (uint)(_json[p] - '0') <= 9)
            {
                p++;
            }

            return p > start;
        }

        public bool TryReadBoolean(out bool value)
        {
            SkipWhitespace();
            var rest = _json[_position..];
            if (rest.StartsWith("true"u8))
            {
                _position += 4;
                value = true;
                return true;
            }

            if (rest.StartsWith("false"u8))
            {
                _position += 5;
                value = false;
                return true;
            }

            value = false;
            return false;
        }

        /// <summary>A non-negative integer of at most 15 digits without fraction or exponent ("7", not "7.0" or "7e0").</summary>
        public bool TryReadInteger(out long value)
        {
            var read = TryReadDigits(allowSign: false, out var digits, out var scale, out _) && scale == 0;
            value = (long)digits;
            return read;
        }

        /// <summary>A number of at most 15 digits in all and no exponent, read to the same double as a correct parser.</summary>
        public bool TryReadNumber(out double value)
        {
            value = 0;
            if (!TryReadDigits(allowSign: true, out var digits, out var scale, out var negative))
            {
                return false;
            }

            value = scale == 0 ? digits : digits / PowersOfTen[scale];
            if (negative)
            {
                value = -value;
            }

            return true;
        }

        private bool TryReadDigits(bool allowSign, out ulong digits, out int scale, out bool negative)
        {
            digits = 0;
            scale = 0;
            SkipWhitespace();
            var p = _position;
            negative = p < _json.Length && _json[p] == (byte)'-';
            if (negative)
            {
                if (!allowSign)
                {
                    return false;
                }

                p++;
            }

            var count = 0;
            var integerStart = p;
            while (p < _json.Length && (uint)(_json[p] - '0') <= 9)
            {
                digits = (digits * 10) + (uint)(_json[p] - '0');
                count++;
                p++;
            }

            // JSON allows no leading zeros ("01") and needs a digit before any point.
            if (p == integerStart || (_json[integerStart] == (byte)'0' && p - integerStart > 1))
            {
                return false;
            }

            if (p < _json.Length && _json[p] == (byte)'.')
            {
                p++;
                var fractionStart = p;
                while (p < _json.Length && (uint)(_json[p] - '0') <= 9)
                {
                    digits = (digits * 10) + (uint)(_json[p] - '0');
                    count++;
                    p++;
                }

                scale = p - fractionStart;
                if (scale == 0)
                {
                    return false;
                }
            }

            // An exponent, a second point or anything else glued on is left for the caller, who finds no delimiter there.
            if (count > MaxExactDigits)
            {
                return false;
            }

            _position = p;
            return true;
        }
    }
}
