using System.Globalization;

namespace KpNet;

/// <summary>
/// Japan Standard Time, in which customers read every date and by which every day is counted (daily energy, audit
/// periods, warranty deadlines). Japan has no daylight saving time, so it is a fixed UTC+9 rather than a time-zone
/// lookup that could differ between machines.
/// </summary>
public static class JapanTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    public static DateTimeOffset Of(DateTimeOffset instant) => instant.ToOffset(Offset);

    /// <summary>The day it is in Japan at <paramref name="instant"/>.</summary>
    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(Of(instant).DateTime);

    /// <summary>The instant a day in Japan begins (00:00 +09:00).</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), Offset);

    /// <summary>How mails write an instant: 2026年4月1日 09:00, or 1 April 2026 09:00 JST.</summary>
    public static string ForMail(DateTimeOffset instant, bool english) =>
        english
            ? Of(instant).ToString("d MMMM yyyy HH:mm", CultureInfo.InvariantCulture) + " JST"
            : Of(instant).ToString("yyyy年M月d日 HH:mm", CultureInfo.InvariantCulture);
}
