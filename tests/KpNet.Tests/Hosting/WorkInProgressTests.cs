using KpNet.Hosting;
using KpNet.Tests.Infrastructure;
using ManualClock = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace KpNet.Tests.Hosting;

public sealed class WorkInProgressTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Work_begun_in_or_before_a_minute_is_found_until_it_ends_and_ending_it_twice_is_harmless()
    {
        var table = AppTables.Client(azurite.ConnectionString, UniqueName.For("work"));
        await table.CreateAsync();
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 9, 0, 30, TimeSpan.Zero));
        var work = new WorkInProgress(table, clock);

        var first = await work.BeginAsync("first", new Dictionary<string, object> { ["GatewayId"] = "GW00009005PV" }, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        var second = await work.BeginAsync("second", new Dictionary<string, object>(), CancellationToken.None);

        var unfinished = Assert.Single(await work.BegunBeforeAsync(clock.GetUtcNow() - TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal(("202612010900", "first", "GW00009005PV"), (unfinished.PartitionKey, unfinished.RowKey, unfinished.GetString("GatewayId")));
        Assert.Equal(["first", "second"], (await work.BegunBeforeAsync(clock.GetUtcNow(), CancellationToken.None)).Select(r => r.RowKey));

        await work.EndAsync(first, CancellationToken.None);
        await work.EndAsync(first, CancellationToken.None);
        Assert.Equal(["second"], (await work.BegunBeforeAsync(clock.GetUtcNow(), CancellationToken.None)).Select(r => r.RowKey));
        Assert.Equal("202612010901", second.Minute);
    }
}
