using KpNet.Hosting.Local;

namespace KpNet.Tests.Hosting.Local;

public sealed class CronScheduleTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("0 */5 * * * *", "2026-11-21T10:02:30Z", "2026-11-21T10:05:00Z")]
    [InlineData("0 */5 * * * *", "2026-11-21T10:05:00Z", "2026-11-21T10:10:00Z")]
    [InlineData("*/10 * * * * *", "2026-11-21T10:00:05Z", "2026-11-21T10:00:10Z")]
    [InlineData("0 0 3 * * *", "2026-11-21T04:00:00Z", "2026-11-22T03:00:00Z")]
    [InlineData("0 30 9 * * MON-FRI", "2026-11-21T10:00:00Z", "2026-11-23T09:30:00Z")]
    [InlineData("0 0 0 1 JAN *", "2026-11-21T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("0 0 12 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T12:00:00Z")]
    [InlineData("15,45 0 0 * * 0", "2026-11-22T00:00:20Z", "2026-11-22T00:00:45Z")]
    [InlineData("0 0 0 * * 7", "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z")]
    public void Next_occurrence_is_the_first_matching_second_after_the_given_time(string expression, string after, string expected) =>
        Assert.Equal(At(expected), CronSchedule.Parse(expression).Next(At(after)));

    [Theory]
    [InlineData("* * * * *")]
    [InlineData("60 * * * * *")]
    [InlineData("0 0 25 * * *")]
    [InlineData("0 0 0 0 * *")]
    [InlineData("0 0 0 * 13 *")]
    [InlineData("0 */0 * * * *")]
    [InlineData("0 5-1 * * * *")]
    [InlineData("0 0 0 * * FUNDAY")]
    public void Invalid_schedules_are_rejected(string expression) =>
        Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));
}
