using System.Collections.Frozen;
using System.Text;

namespace KpNet.Telemetry.Alerts;

/// <summary>
/// One alert condition: a code on a PCS unit (1…64) or on the gateway itself (unit 0: battery, communication).
/// <see cref="Key"/> ("{unit}-{code}") is its row key in table Alerts, so codes are kept to row-key-safe characters.
/// </summary>
public readonly record struct AlertCondition(int Unit, string Code)
{
    public string Key => Unit.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Code;

    public static AlertCondition FromKey(string key)
    {
        var dash = key.IndexOf('-', StringComparison.Ordinal);
        return new AlertCondition(int.Parse(key.AsSpan(0, dash), System.Globalization.CultureInfo.InvariantCulture), key[(dash + 1)..]);
    }
}

/// <summary>
/// The alert rules applied to a gateway's newest event. The event schema has no battery voltage, so the voltage rule
/// is expressed through what the gateway reports: a battery still discharging below <see cref="MinBatterySoc"/> % is
/// heading for over-discharge (a healthy system stops at its reserve long before). SoC outside 0–100 never gets here:
/// the parser sets such events aside as absurd values.
/// </summary>
public static class AlertRules
{
    public const double MaxBatteryTempC = 50;
    public const double MinBatteryTempC = -10;
    public const double MinBatterySoc = 5;
    public static readonly TimeSpan OfflineAfter = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The conditions the event shows, as alert keys (never <see cref="AlertCatalogue.Offline"/>: the event proves contact).
    /// Nearly always none: then no set is allocated, as this runs for every gateway of every batch.
    /// </summary>
    public static IReadOnlySet<string> Evaluate(TelemetryEvent e)
    {
        HashSet<string>? keys = null;
        if (e.Units is { } units)
        {
            foreach (var unit in units)
            {
                foreach (var fault in unit.Faults)
                {
                    Add(new AlertCondition(unit.No, SafeCode(fault)));
                }

                if (unit.Faults.Count == 0 && string.Equals(unit.Status, "fault", StringComparison.OrdinalIgnoreCase))
                {
                    Add(new AlertCondition(unit.No, AlertCatalogue.UnitFault));
                }
            }
        }

        ref readonly var measured = ref e.Measurements;
        var batteryTempC = measured[Measurement.BatteryTempC];
        if (batteryTempC > MaxBatteryTempC)
        {
            Add(new AlertCondition(0, AlertCatalogue.BatteryTemperatureHigh));
        }
        else if (batteryTempC < MinBatteryTempC)
        {
            Add(new AlertCondition(0, AlertCatalogue.BatteryTemperatureLow));
        }

        if (measured[Measurement.BatterySoc] < MinBatterySoc && measured[Measurement.BatteryW] > 0)
        {
            Add(new AlertCondition(0, AlertCatalogue.BatteryDepleted));
        }

        return keys ?? (IReadOnlySet<string>)FrozenSet<string>.Empty;

        void Add(AlertCondition condition) => (keys ??= new(StringComparer.Ordinal)).Add(condition.Key);
    }

    /// <summary>A fault code as sent when it is plain (letters, digits, '.', '_', '-'); otherwise "x" + its UTF-8 in hex.</summary>
    public static string SafeCode(string code)
    {
        foreach (var c in code)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return "x" + Convert.ToHexString(Encoding.UTF8.GetBytes(code));
            }
        }

        return code.Length == 0 ? AlertCatalogue.UnitFault : code;
    }
}
