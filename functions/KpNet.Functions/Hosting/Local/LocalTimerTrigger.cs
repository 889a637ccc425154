using System.Globalization;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;

namespace KpNet.Hosting.Local;

/// <summary>Fires a timer function on its NCRONTAB schedule, in UTC (a %Setting% is resolved from configuration, as the host does).</summary>
public sealed partial class LocalTimerTrigger(
    FunctionDefinition function,
    IConfiguration configuration,
    InvocationDispatcher dispatcher,
    TimeProvider time,
    ILogger<LocalTimerTrigger> logger) : BackgroundService
{
    private readonly TimerTrigger _trigger = (TimerTrigger)function.Trigger;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = TimerSchedule.Parse(_trigger.ScheduleSetting is { } setting
            ? configuration[setting] ?? throw new InvalidOperationException($"Timer schedule setting {_trigger.Schedule} is not configured.")
            : _trigger.Schedule);
        DateTimeOffset? last = null;
        if (_trigger.RunOnStartup)
        {
            last = time.GetUtcNow();
            await FireAsync(null, schedule.NextAfter(last.Value), stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            // A delay can wake a little early; never fire the same occurrence twice.
            var now = time.GetUtcNow();
            var next = schedule.NextAfter(last is { } previous && previous > now ? previous : now);
            var wait = next - now;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, stoppingToken);
            }

            await FireAsync(last, schedule.NextAfter(next), stoppingToken);
            last = next;
        }
    }

    private async Task FireAsync(DateTimeOffset? last, DateTimeOffset next, CancellationToken cancellationToken)
    {
        var payload = InvocationPayload.Write(
            _trigger.BindingName,
            writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartObject("Schedule");
                writer.WriteBoolean("AdjustForDST", true);
                writer.WriteEndObject();
                writer.WriteStartObject("ScheduleStatus");
                writer.WriteString("Last", (last ?? DateTimeOffset.MinValue).ToString("o", CultureInfo.InvariantCulture));
                writer.WriteString("Next", next.ToString("o", CultureInfo.InvariantCulture));
                writer.WriteString("LastUpdated", time.GetUtcNow().ToString("o", CultureInfo.InvariantCulture));
                writer.WriteEndObject();
                writer.WriteBoolean("IsPastDue", false);
                writer.WriteEndObject();
            },
            _ => { });
        var result = await dispatcher.DispatchAsync(function.Name, payload, Guid.NewGuid().ToString(), cancellationToken);
        if (result.Outcome != InvocationOutcome.Succeeded)
        {
            LogTimerRunFailed(function.Name, next);
        }
    }

    [LoggerMessage(EventId = 1200, EventName = "TimerRunFailed", Level = LogLevel.Warning, Message = "Timer {FunctionName} run failed; the next run is at {Next}")]
    private partial void LogTimerRunFailed(string functionName, DateTimeOffset next);
}
