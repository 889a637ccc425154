using System.Globalization;
using KpNet.Hosting.Functions;
using NCrontab;

namespace KpNet.Tests.Hosting;

public sealed class TimerScheduleTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("0 */5 * * * *", "2026-11-21T10:02:30Z", "2026-11-21T10:05:00Z")]
    [InlineData("0 */5 * * * *", "2026-11-21T10:05:00Z", "2026-11-21T10:10:00Z")]
    [InlineData("*/10 * * * * *", "2026-11-21T10:00:05.750Z", "2026-11-21T10:00:10Z")]
    [InlineData("0 0 3 * * *", "2026-11-21T04:00:00Z", "2026-11-22T03:00:00Z")]
    [InlineData("0 30 9 * * MON-FRI", "2026-11-21T10:00:00Z", "2026-11-23T09:30:00Z")]
    [InlineData("0 0 0 1 JAN *", "2026-11-21T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("0 0 12 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T12:00:00Z")]
    [InlineData("15,45 0 0 * * 0", "2026-11-22T00:00:20Z", "2026-11-22T00:00:45Z")]
    public void The_next_occurrence_is_the_first_matching_second_after_the_given_time(string expression, string after, string expected) =>
        Assert.Equal(At(expected), TimerSchedule.Parse(expression).NextAfter(At(after)));

    [Fact]
    public void A_schedule_is_read_in_UTC_as_the_host_reads_it_in_Azure_whatever_zone_the_time_is_given_in()
    {
        // 11:00 in Japan is 02:00 UTC: "at 03:00" comes an hour later (12:00 in Japan), not at 03:00 Japan time.
        var next = TimerSchedule.Parse("0 0 3 * * *").NextAfter(At("2026-11-21T11:00:00+09:00"));

        Assert.Equal(At("2026-11-21T03:00:00Z"), next);
        Assert.Equal(TimeSpan.Zero, next.Offset);
    }

    [Theory]
    [InlineData("* * * * *")]
    [InlineData("60 * * * * *")]
    [InlineData("0 0 25 * * *")]
    [InlineData("0 0 0 0 * *")]
    [InlineData("0 0 0 * 13 *")]
    [InlineData("0 0 0 * * FUNDAY")]
    public void A_schedule_the_host_cannot_parse_is_refused(string expression) =>
        Assert.Throws<CrontabException>(() => TimerSchedule.Parse(expression));
}
