using NCrontab;

namespace KpNet.Hosting.Functions;

/// <summary>
/// Timer schedules read as the host reads them: NCrontab (the timer extension's own library) with six fields, seconds
/// first, in UTC, the host's zone in Azure, where the app sets no WEBSITE_TIME_ZONE.
/// </summary>
public static class TimerSchedule
{
    private static readonly CrontabSchedule.ParseOptions WithSeconds = new() { IncludingSeconds = true };

    /// <exception cref="CrontabException">The expression is no six-field NCRONTAB schedule.</exception>
    public static CrontabSchedule Parse(string expression) => CrontabSchedule.Parse(expression, WithSeconds);

    /// <summary>The first occurrence strictly after <paramref name="after"/>, whatever zone the machine is in.</summary>
    public static DateTimeOffset NextAfter(this CrontabSchedule schedule, DateTimeOffset after) =>
        new(DateTime.SpecifyKind(schedule.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc));
}
