namespace KpNet.Simulator;

/// <summary>
/// A Japanese household behind one gateway: PV by the time of day in Japan with passing clouds, a load with morning and
/// evening peaks, a stationary battery that stores the PV surplus and covers the deficit, and for Multi V2X an EV that is
/// plugged in from the evening to the morning (supplying the house by V2H early in the evening, charging at night).
/// The household's size and equipment are derived from the gateway ID, so a gateway keeps them across runs.
/// </summary>
public sealed class SimulatedGateway
{
    public const double MinBatterySoc = 10;
    public const double MaxBatterySoc = 100;
    public const double MinBatteryTempC = 20;
    public const double MaxBatteryTempC = 40;
    public const double OverheatedBatteryTempC = 58;
    public const string Fw = "1.4.2";

    private static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);
    private static readonly string[] FaultCodes = ["E101", "E203", "E305", "E411"];

    private readonly Random _random;
    private readonly double _pvCapacityW;
    private readonly double _baseLoadW;
    private readonly double _morningPeakW;
    private readonly double _eveningPeakW;
    private readonly double _batteryCapacityWh;
    private readonly double _batteryMaxW;
    private readonly double _batteryReserveSoc;
    private readonly double _evArrivalHour;
    private readonly double _evDepartureHour;
    private readonly List<(string Model, string Serial)> _units;

    private double _clouds;
    private double _batterySoc;
    private double _evSoc;
    private bool _evConnected;
    private long? _boot;
    private long _seq;
    private int _faultRoundsLeft;
    private int _faultyUnit;
    private string _faultCode = "";
    private int _overheatRoundsLeft;

    public SimulatedGateway(DemoGateway gateway, int? seed = null)
    {
        Gateway = gateway;
        _random = new Random(seed ?? StableHash(gateway.Id));
        _pvCapacityW = Between(3000, 10000);
        _baseLoadW = Between(300, 600);
        _morningPeakW = Between(600, 1500);
        _eveningPeakW = Between(1200, 2500);
        _batteryCapacityWh = gateway.Product == SimulatedProduct.MultiV2x ? Between(7400, 14900) : Between(6500, 16400);
        _batteryMaxW = Between(3000, 5900);
        _batteryReserveSoc = Between(15, 30);
        _evArrivalHour = Between(17, 20);
        _evDepartureHour = Between(7, 8.5);
        _clouds = Between(0.3, 1);
        _batterySoc = Between(30, 80);
        _evSoc = Between(30, 70);
        var unitModel = gateway.Product == SimulatedProduct.MultiV2x ? "KPV-A55-J4" : "KPBP-A-PKG";
        var unitSerialStem = gateway.Serial.Length > 1 ? gateway.Serial[1..] : gateway.Serial;
        _units = Enumerable.Range(1, _random.Next(1, 3))
            .Select(no => (unitModel, unitSerialStem + no.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }

    public DemoGateway Gateway { get; }

    public bool HasEv => Gateway.Product == SimulatedProduct.MultiV2x;

    public int UnitCount => _units.Count;

    /// <summary>
    /// The state after <paramref name="step"/> of household time ending at <paramref name="householdTime"/>, reported at
    /// <paramref name="ts"/> (the real time of sending; the household's clock may run faster, see --speed).
    /// Each run of the simulator is a boot of its gateways: boot is the time of their first event (Unix seconds), and
    /// seqs count again from 1.
    /// </summary>
    public TelemetryReading Next(DateTimeOffset ts, DateTimeOffset householdTime, TimeSpan step, bool faults = false)
    {
        _boot ??= ts.ToUnixTimeSeconds();
        _seq++;
        var hours = step.TotalHours;
        var hour = householdTime.ToOffset(JapanOffset).TimeOfDay.TotalHours;

        _clouds = Math.Clamp(_clouds + (_random.NextDouble() - 0.5) * 0.2 * Math.Sqrt(Math.Max(hours * 12, 0.01)), 0.15, 1);
        var pv = Math.Round(_pvCapacityW * Sunshine(hour) * _clouds);
        var load = Math.Round((_baseLoadW + Bell(hour, 7.25, 1.0) * _morningPeakW + Bell(hour, 19.5, 1.6) * _eveningPeakW) * (0.9 + 0.2 * _random.NextDouble()));

        var ev = HasEv ? EvPower(hour, load - pv, hours) : 0;
        var battery = BatteryPower(load + ev - pv, hours);
        var grid = load + ev - pv - battery;

        _batterySoc = Math.Clamp(_batterySoc - battery * hours / _batteryCapacityWh * 100, MinBatterySoc, MaxBatterySoc);
        var temperature = Math.Clamp(24 + 4 * Math.Sin((hour - 9) / 24 * 2 * Math.PI) + 8 * Math.Abs(battery) / _batteryMaxW, MinBatteryTempC, MaxBatteryTempC);
        var units = UnitReadings(faults);
        if (faults && (_overheatRoundsLeft > 0 || _random.NextDouble() < 0.01))
        {
            _overheatRoundsLeft = _overheatRoundsLeft > 0 ? _overheatRoundsLeft - 1 : 3;
            temperature = OverheatedBatteryTempC;
        }

        return new TelemetryReading(
            Gateway.Id, _boot.Value, _seq, ts, Gateway.Model, Gateway.Serial, Fw,
            pv, Math.Round(_batterySoc, 1), battery, Math.Round(temperature, 1),
            HasEv && _evConnected, HasEv && _evConnected ? Math.Round(_evSoc, 1) : null, ev, HasEv, grid, load, units);
    }

    /// <summary>Watts into the car (&gt; 0 charging, &lt; 0 V2H supplying the house), and the car's SoC after them.</summary>
    private double EvPower(double hour, double houseDeficitW, double hours)
    {
        var connected = hour >= _evArrivalHour || hour < _evDepartureHour;
        if (connected && !_evConnected)
        {
            _evSoc = Between(30, 70);
        }

        _evConnected = connected;
        if (!connected)
        {
            return 0;
        }

        const double evCapacityWh = 40_000;
        const double evMaxW = 6000;
        double ev;
        if (hour >= 23 || hour < _evDepartureHour)
        {
            ev = Math.Min(3000, (90 - _evSoc) / 100 * evCapacityWh / hours);
        }
        else
        {
            ev = houseDeficitW > 0 && _evSoc > 40 ? -Math.Min(Math.Min(houseDeficitW, evMaxW), (_evSoc - 40) / 100 * evCapacityWh / hours) : 0;
        }

        ev = Math.Round(Math.Max(ev, -evMaxW));
        _evSoc = Math.Clamp(_evSoc + ev * hours / evCapacityWh * 100, 0, 100);
        return ev;
    }

    /// <summary>Watts out of the battery (&gt; 0 discharging), bounded by its power and by the SoC limits.</summary>
    private double BatteryPower(double deficitW, double hours)
    {
        if (deficitW < 0)
        {
            var room = (MaxBatterySoc - _batterySoc) / 100 * _batteryCapacityWh / hours;
            return -Math.Floor(Math.Min(Math.Min(-deficitW, _batteryMaxW), room));
        }

        var available = Math.Max(0, _batterySoc - Math.Max(_batteryReserveSoc, MinBatterySoc)) / 100 * _batteryCapacityWh / hours;
        return Math.Floor(Math.Min(Math.Min(deficitW, _batteryMaxW), available));
    }

    private List<UnitReading> UnitReadings(bool faults)
    {
        if (faults && _faultRoundsLeft == 0 && _random.NextDouble() < 0.02)
        {
            _faultRoundsLeft = _random.Next(3, 12);
            _faultyUnit = _random.Next(1, _units.Count + 1);
            _faultCode = FaultCodes[_random.Next(FaultCodes.Length)];
        }

        var faulted = faults && _faultRoundsLeft > 0;
        if (faulted)
        {
            _faultRoundsLeft--;
        }

        return _units.Select((unit, index) => faulted && index + 1 == _faultyUnit
            ? new UnitReading(index + 1, unit.Model, unit.Serial, "fault", [_faultCode])
            : new UnitReading(index + 1, unit.Model, unit.Serial, "run", [])).ToList();
    }

    /// <summary>0 at night, a bell peaking at noon (JST) between sunrise (~5:00) and sunset (~19:00).</summary>
    private static double Sunshine(double hour) => hour is <= 5 or >= 19 ? 0 : Bell(hour, 12, 2.3) * Math.Sin((hour - 5) / 14 * Math.PI);

    private static double Bell(double hour, double peak, double width) => Math.Exp(-Math.Pow(hour - peak, 2) / (2 * width * width));

    private double Between(double min, double max) => min + _random.NextDouble() * (max - min);

    /// <summary>FNV-1a: string.GetHashCode differs per process, and a household must stay the same across runs.</summary>
    private static int StableHash(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }
}
