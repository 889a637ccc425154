using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Hosting.Local;

public sealed class LocalTimerTriggerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_timer_whose_schedule_is_an_app_setting_fires_on_that_schedule_with_its_next_occurrence()
    {
        var recorder = new Recorder();
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new Dictionary<string, string> { ["TestSchedule"] = "* * * * * *" }, configure: builder =>
        {
            builder.Services.AddSingleton(recorder);
            builder.Services.AddTimerFunction<RecordingTimerFunction>("TestTimer", "%TestSchedule%");
        });

        await Eventually.ReturnsAsync(() => Task.FromResult(recorder.Calls), calls => calls >= 2, TimeSpan.FromSeconds(10), "two timer runs");

        var runs = recorder.Inputs.Cast<TimerInput>().ToList();
        Assert.All(runs, run => Assert.False(run.IsPastDue));
        Assert.Equal(runs[0].Next, runs[1].Next!.Value.AddSeconds(-1));
    }
}
