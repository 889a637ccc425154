using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;
using Azure.Data.Tables;
using KpNet.Azure.Storage.Tables;

namespace KpNet.Telemetry;

/// <summary>How a measurement goes into the 5-minute rollups.</summary>
public enum MeasurementRollup
{
    /// <summary>Only in the status row (the newest value).</summary>
    None,

    /// <summary>A power flow: the sums of its positive and negative parts, its average W and its energies.</summary>
    Flow,

    /// <summary>A level (a state of charge): its average.</summary>
    Average,
}

/// <summary>
/// One measured value of a telemetry event, and everything that depends on it: where it sits in the event's JSON (the
/// <see cref="Path"/> a rejection names), the range it must lie in, its column in the GatewayStatus row and, for flows and
/// levels, its columns in the 5-minute rollups and the energies they sum to. The table below is the one place a
/// measurement is declared: the parser (both paths), <see cref="TelemetryEvent"/>, the status row, its writer and the
/// rollups all go through it. Adding a field is one line here (plus its test); a flow's energies then also reach the hour
/// and day rows. The values of an event live in <see cref="Measurements"/>, one fixed slot each, so the hot path
/// allocates nothing per field.
/// </summary>
public sealed class Measurement
{
    public const double MaxAbsolutePowerW = 1_000_000;
    public const double MinTempC = -50;
    public const double MaxTempC = 150;

    // Before the fields below: each registers itself as it is built (static fields initialise in textual order).
    private static readonly List<Measurement> Registered = [];

    public static readonly Measurement PvW = Power("pv.w", "PvW", "Pv", positiveEnergy: "PvGeneratedKWh", negativeEnergy: null);
    public static readonly Measurement BatterySoc = Level("battery.soc", "BatterySoc");
    public static readonly Measurement BatteryW = Power("battery.w", "BatteryW", "Battery", positiveEnergy: "BatteryDischargedKWh", negativeEnergy: "BatteryChargedKWh");
    public static readonly Measurement BatteryTempC = new("battery.tempC", "BatteryTempC", MinTempC, MaxTempC, isFlag: false, MeasurementRollup.None, null, null, null);
    public static readonly Measurement EvConnected = new("ev.connected", "EvConnected", 0, 1, isFlag: true, MeasurementRollup.None, null, null, null);
    public static readonly Measurement EvSoc = Level("ev.soc", "EvSoc");
    public static readonly Measurement EvW = Power("ev.w", "EvW", "Ev", positiveEnergy: "EvChargedKWh", negativeEnergy: "EvDischargedKWh");
    public static readonly Measurement GridW = Power("grid.w", "GridW", "Grid", positiveEnergy: "BoughtKWh", negativeEnergy: "SoldKWh");
    public static readonly Measurement LoadW = Power("load.w", "LoadW", "Load", positiveEnergy: "ConsumedKWh", negativeEnergy: null);

    /// <summary>Every measurement, in the order above (their <see cref="Slot"/>s); looping over it allocates nothing.</summary>
    public static readonly ImmutableArray<Measurement> All = [.. Registered];

    /// <summary>The event's measurement blocks ("pv", "battery", …), in the order of their first measurement.</summary>
    internal static readonly MeasurementBlock[] Blocks = MeasurementBlock.Of(Registered);

    /// <summary>The blocks by the length of their name, so the parsers compare a property name with one or two of them.</summary>
    internal static readonly MeasurementBlock[][] BlocksByNameLength = MeasurementBlock.ByNameLength(Blocks);

    /// <summary>The energy columns (kWh) of the rollups: each flow's positive and negative part that has a name.</summary>
    public static readonly ImmutableArray<(string Name, Measurement Flow, bool Positive)> Energies = EnergiesOf(Registered);

    private Measurement(
        string path, string column, double min, double max, bool isFlag, MeasurementRollup rollup, string? rollupPrefix, string? positiveEnergy, string? negativeEnergy)
    {
        if (Registered.Count == Measurements.Capacity)
        {
            throw new InvalidOperationException($"More than {Measurements.Capacity} measurements: make Measurements' slots bigger.");
        }

        Slot = Registered.Count;
        Path = path;
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        Block = path[..dot];
        Name = path[(dot + 1)..];
        Utf8Name = Encoding.UTF8.GetBytes(Name);
        Column = column;
        Min = min;
        Max = max;
        IsFlag = isFlag;
        Rollup = rollup;
        PositiveEnergy = positiveEnergy;
        NegativeEnergy = negativeEnergy;
        var prefix = rollupPrefix ?? column;
        (PositiveSumColumn, NegativeSumColumn, SamplesColumn) = rollup switch
        {
            MeasurementRollup.Flow => (prefix + "PosWSum", prefix + "NegWSum", prefix + "Samples"),
            MeasurementRollup.Average => (prefix + "Sum", null, prefix + "Samples"),
            _ => (null, null, null),
        };
        AverageColumn = rollup switch
        {
            MeasurementRollup.Flow => prefix + "AvgW",
            MeasurementRollup.Average => prefix + "Avg",
            _ => null,
        };
        Registered.Add(this);
    }

    /// <summary>Its index in <see cref="Measurements"/>.</summary>
    public int Slot { get; }

    /// <summary>Where it sits in the event: "battery.soc" (the JSON path a rejection names).</summary>
    public string Path { get; }

    /// <summary>The event's block holding it: "battery".</summary>
    public string Block { get; }

    /// <summary>Its property in the block: "soc".</summary>
    public string Name { get; }

    internal byte[] Utf8Name { get; }

    /// <summary>Its column in the GatewayStatus row.</summary>
    public string Column { get; }

    public double Min { get; }

    public double Max { get; }

    /// <summary>true/false in the event and a Boolean column in the status row (held as 1/0 in <see cref="Measurements"/>).</summary>
    public bool IsFlag { get; }

    public MeasurementRollup Rollup { get; }

    /// <summary>The 5-minute rows' sum of the positive values (of all values, for a level); null when not rolled up.</summary>
    public string? PositiveSumColumn { get; }

    /// <summary>The 5-minute rows' sum of the negative values, as a positive number (flows only).</summary>
    public string? NegativeSumColumn { get; }

    public string? SamplesColumn { get; }

    /// <summary>The 5-minute rows' average (W for a flow, % for a level); null when not rolled up.</summary>
    public string? AverageColumn { get; }

    /// <summary>The energy (kWh) of the flow's positive part, e.g. bought from the grid.</summary>
    public string? PositiveEnergy { get; }

    /// <summary>The energy (kWh) of the flow's negative part, e.g. sold to the grid.</summary>
    public string? NegativeEnergy { get; }

    public override string ToString() => Path;

    private static Measurement Power(string path, string column, string flow, string? positiveEnergy, string? negativeEnergy) =>
        new(path, column, -MaxAbsolutePowerW, MaxAbsolutePowerW, isFlag: false, MeasurementRollup.Flow, flow, positiveEnergy, negativeEnergy);

    private static Measurement Level(string path, string column) =>
        new(path, column, 0, 100, isFlag: false, MeasurementRollup.Average, null, null, null);

    private static ImmutableArray<(string Name, Measurement Flow, bool Positive)> EnergiesOf(List<Measurement> measurements)
    {
        var energies = ImmutableArray.CreateBuilder<(string Name, Measurement Flow, bool Positive)>();
        foreach (var measurement in measurements)
        {
            if (measurement.PositiveEnergy is { } positive)
            {
                energies.Add((positive, measurement, true));
            }

            if (measurement.NegativeEnergy is { } negative)
            {
                energies.Add((negative, measurement, false));
            }
        }

        return energies.ToImmutable();
    }
}

/// <summary>One block of an event ("battery": {"soc", "w", "tempC"}) and the measurements it holds.</summary>
public sealed class MeasurementBlock
{
    private readonly Measurement[] _fields;

    private MeasurementBlock(int index, string name, Measurement[] fields)
    {
        Index = index;
        Name = name;
        Utf8Name = Encoding.UTF8.GetBytes(name);
        _fields = fields;
    }

    /// <summary>Its place in <see cref="Measurement.Blocks"/>.</summary>
    public int Index { get; }

    public string Name { get; }

    internal byte[] Utf8Name { get; }

    public IReadOnlyList<Measurement> Fields => _fields;

    /// <summary>The block's measurement of that property name, or null (an unknown property, skipped).</summary>
    internal Measurement? Field(ReadOnlySpan<byte> name)
    {
        foreach (var field in _fields)
        {
            if (name.SequenceEqual(field.Utf8Name))
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>The block of that top-level property name, or null.</summary>
    internal static MeasurementBlock? Named(ReadOnlySpan<byte> name)
    {
        if (name.Length >= Measurement.BlocksByNameLength.Length)
        {
            return null;
        }

        foreach (var block in Measurement.BlocksByNameLength[name.Length])
        {
            if (name.SequenceEqual(block.Utf8Name))
            {
                return block;
            }
        }

        return null;
    }

    internal static MeasurementBlock[][] ByNameLength(MeasurementBlock[] blocks)
    {
        var byLength = new MeasurementBlock[blocks.Max(b => b.Utf8Name.Length) + 1][];
        for (var length = 0; length < byLength.Length; length++)
        {
            byLength[length] = [.. blocks.Where(b => b.Utf8Name.Length == length)];
        }

        return byLength;
    }

    internal static MeasurementBlock[] Of(IEnumerable<Measurement> measurements) =>
        [.. measurements.GroupBy(m => m.Block).Select((group, index) => new MeasurementBlock(index, group.Key, [.. group]))];
}

/// <summary>
/// The measured values of one event (or of the status row): one fixed slot per <see cref="Measurement"/>, and which are
/// present. A value the event lacked (or sent as null) is absent, never 0.
/// </summary>
public struct Measurements : IEquatable<Measurements>
{
    /// <summary>
    /// Slots for this many measurements (<see cref="Measurement"/> refuses more; up to 16 fit the presence bits): room for a
    /// few more than today's nine, while an event stays smaller than with a nullable property per value.
    /// </summary>
    public const int Capacity = 12;

    private Slots _values;
    private ushort _present;

    public double? this[Measurement measurement]
    {
        readonly get => (_present & (1 << measurement.Slot)) != 0 ? _values[measurement.Slot] : null;
        set
        {
            var bit = (ushort)(1 << measurement.Slot);
            if (value is { } v)
            {
                _values[measurement.Slot] = v;
                _present |= bit;
            }
            else
            {
                _values[measurement.Slot] = 0;
                _present &= (ushort)~bit;
            }
        }
    }

    public readonly bool IsEmpty => _present == 0;

    /// <summary>A flag's value (<see cref="Measurement.IsFlag"/>).</summary>
    public readonly bool? Flag(Measurement measurement) => this[measurement] is { } v ? v != 0 : null;

    public void SetFlag(Measurement measurement, bool? value) => this[measurement] = value is { } v ? (v ? 1.0 : 0.0) : null;

    /// <summary>The status row's columns (<see cref="Measurement.Column"/>): a flag as a Boolean, the rest as Doubles.</summary>
    public static Measurements ReadColumns(TableEntity row)
    {
        var values = default(Measurements);
        foreach (var measurement in Measurement.All)
        {
            if (measurement.IsFlag)
            {
                values.SetFlag(measurement, row.GetBoolean(measurement.Column));
            }
            else
            {
                values[measurement] = row.GetNumber(measurement.Column);
            }
        }

        return values;
    }

    /// <summary>Writes every value into its column and removes the columns of absent values: the row then says exactly these.</summary>
    public readonly void WriteColumns(TableEntity row)
    {
        foreach (var measurement in Measurement.All)
        {
            if (this[measurement] is not { } value)
            {
                row.Remove(measurement.Column);
            }
            else
            {
                row[measurement.Column] = measurement.IsFlag ? value != 0 : value;
            }
        }
    }

    public readonly bool Equals(Measurements other)
    {
        if (_present != other._present)
        {
            return false;
        }

        for (var slot = 0; slot < Capacity; slot++)
        {
            // Absent slots hold 0 (the setter clears them), so every slot compares.
            if (!_values[slot].Equals(other._values[slot]))
            {
                return false;
            }
        }

        return true;
    }

    public override readonly bool Equals(object? obj) => obj is Measurements other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_present);
        for (var slot = 0; slot < Capacity; slot++)
        {
            hash.Add(_values[slot]);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(Measurements left, Measurements right) => left.Equals(right);

    public static bool operator !=(Measurements left, Measurements right) => !left.Equals(right);

    [InlineArray(Capacity)]
    private struct Slots
    {
        private double _value;
    }
}
