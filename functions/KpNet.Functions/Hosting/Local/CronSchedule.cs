using System.Globalization;

namespace KpNet.Hosting.Local;

/// <summary>
/// The six-field NCRONTAB schedules of the timer trigger: second minute hour day month day-of-week, in UTC.
/// Fields take *, n, a-b, lists and /step; months and days of week also take names (JAN, MON).
/// Like NCrontab, a time must match both the day-of-month and the day-of-week field.
/// </summary>
public sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly bool[] _seconds, _minutes, _hours, _days, _months, _daysOfWeek;

    private CronSchedule(bool[] seconds, bool[] minutes, bool[] hours, bool[] days, bool[] months, bool[] daysOfWeek)
    {
        (_seconds, _minutes, _hours, _days, _months, _daysOfWeek) = (seconds, minutes, hours, days, months, daysOfWeek);
    }

    public static CronSchedule Parse(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
        {
            throw new FormatException($"'{expression}' has {fields.Length} fields; a timer schedule needs six (second minute hour day month day-of-week).");
        }

        var daysOfWeek = ParseField(fields[5], 0, 7, DayNames, 0);
        daysOfWeek[0] |= daysOfWeek[7];
        return new CronSchedule(
            ParseField(fields[0], 0, 59, null, 0),
            ParseField(fields[1], 0, 59, null, 0),
            ParseField(fields[2], 0, 23, null, 0),
            ParseField(fields[3], 1, 31, null, 0),
            ParseField(fields[4], 1, 12, MonthNames, 1),
            daysOfWeek);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after)
    {
        var utc = after.UtcDateTime;
        var t = new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, utc.Second, DateTimeKind.Utc).AddSeconds(1);
        var limit = t.AddYears(5);
        while (t < limit)
        {
            if (!_months[t.Month])
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
            }
            else if (!_days[t.Day] || !_daysOfWeek[(int)t.DayOfWeek])
            {
                t = t.Date.AddDays(1);
            }
            else if (!_hours[t.Hour])
            {
                t = t.Date.AddHours(t.Hour + 1);
            }
            else if (!_minutes[t.Minute])
            {
                t = t.Date.AddHours(t.Hour).AddMinutes(t.Minute + 1);
            }
            else if (!_seconds[t.Second])
            {
                t = t.AddSeconds(1);
            }
            else
            {
                return new DateTimeOffset(t);
            }
        }

        throw new InvalidOperationException("The schedule has no occurrence in the next five years.");
    }

    private static bool[] ParseField(string field, int min, int max, string[]? names, int nameOffset)
    {
        var allowed = new bool[max + 1];
        foreach (var item in field.Split(','))
        {
            var (range, step) = item.Split('/') switch
            {
                [var r] => (r, 1),
                [var r, var s] when int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 => (r, n),
                _ => throw new FormatException($"'{item}' is not a valid schedule field."),
            };
            int from, to;
            if (range == "*")
            {
                (from, to) = (min, max);
            }
            else if (range.Split('-') is [var a, var b])
            {
                (from, to) = (Value(a), Value(b));
            }
            else
            {
                from = Value(range);
                to = step > 1 ? max : from;
            }

            if (from > to)
            {
                throw new FormatException($"'{item}' runs backwards.");
            }

            for (var v = from; v <= to; v += step)
            {
                allowed[v] = true;
            }
        }

        return allowed;

        int Value(string text)
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
            {
                return number;
            }

            var index = names is null ? -1 : Array.FindIndex(names, n => n.Equals(text, StringComparison.OrdinalIgnoreCase));
            return index >= 0 ? index + nameOffset : throw new FormatException($"'{text}' is not between {min} and {max}.");
        }
    }
}
