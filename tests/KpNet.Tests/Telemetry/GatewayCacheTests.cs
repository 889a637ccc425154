using System.Globalization;
using KpNet.Telemetry;

namespace KpNet.Tests.Telemetry;

public sealed class GatewayCacheTests
{
    [Fact]
    public void The_cache_holds_at_most_its_bound_and_keeps_the_newest_gateway()
    {
        var cache = new GatewayCache<string>(maxGateways: 100);
        static string Gateway(int i) => "G" + i.ToString(CultureInfo.InvariantCulture);

        for (var i = 0; i < 110; i++)
        {
            cache.Remember(Gateway(i), "rows of " + Gateway(i));
        }

        Assert.Equal(100, cache.Count);
        Assert.Equal("rows of G109", cache.Find(Gateway(109)));
        cache.Forget(Gateway(109));
        Assert.Null(cache.Find(Gateway(109)));
        Assert.Equal(99, cache.Count);
    }

    [Fact]
    public async Task Gateways_remembered_and_forgotten_from_many_threads_keep_the_count_true()
    {
        var cache = new GatewayCache<string>(maxGateways: 1_000);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                var gateway = "G" + ((thread * 5_000) + i).ToString(CultureInfo.InvariantCulture);
                cache.Remember(gateway, gateway);
                if (i % 3 == 0)
                {
                    cache.Forget(gateway);
                }
            }
        })));

        var present = Enumerable.Range(0, 8 * 5_000).Count(i => cache.Find("G" + i.ToString(CultureInfo.InvariantCulture)) is not null);
        Assert.Equal(present, cache.Count);
        Assert.InRange(cache.Count, 1, 1_000);
    }
}
