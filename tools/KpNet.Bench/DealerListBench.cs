using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Dealers;
using KpNet.Azure.EventHubs;
using KpNet.Simulator;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Bench;

/// <summary>
/// dealer-list: GET /api/dealer/gateways for a dealer maintaining 10, 1,000 and 5,000 gateways (one in 20 with a
/// critical alert raised through the real ingest path), against Azurite: latency and the table requests of one page.
/// </summary>
public static class DealerListBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = (BenchSupport.Option(args, "--sizes") ?? "10,1000,5000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var rounds = int.Parse(BenchSupport.Option(args, "--rounds") ?? "20", CultureInfo.InvariantCulture);
        var pageSize = int.Parse(BenchSupport.Option(args, "--page-size") ?? "20", CultureInfo.InvariantCulture);

        await using var pipeline = await LocalPipeline.StartAsync(maxEventBatchSize: 1000, demoDealers: true);
        var demo = DemoDealerSeeder.Dealers[0];
        var accounts = pipeline.Services.GetRequiredService<AccountStore>();
        var dealer = await WaitForAsync(() => accounts.FindByEmailAsync(demo.Email, CancellationToken.None), a => a?.DealerId is not null);
        using var client = LoopbackClient.Create(pipeline.BaseAddress);
        using (var login = await client.PostAsJsonAsync("/api/sessions", new { email = demo.Email, password = demo.Password }))
        {
            login.EnsureSuccessStatusCode();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
        }

        Console.WriteLine($"dealer-list: one dealer, {rounds} list requests per size (page 1 and the last page alternately), pageSize {pageSize}");
        var linked = 0;
        foreach (var size in sizes)
        {
            await LinkMoreAsync(pipeline, dealer!.DealerId!.Value, linked, size);
            linked = size;
            var lastPage = (size + pageSize - 1) / pageSize;
            await GetAsync(client, $"/api/dealer/gateways?page=1&pageSize={pageSize}");
            pipeline.Requests.TakeSnapshot();
            var times = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var page = round % 2 == 0 ? 1 : lastPage;
                var clock = Stopwatch.StartNew();
                var list = await GetAsync(client, $"/api/dealer/gateways?page={page}&pageSize={pageSize}");
                times.Add(clock.Elapsed.TotalMilliseconds);
                if (list.GetProperty("total").GetInt32() != size)
                {
                    throw new InvalidOperationException($"The list's total is {list.GetProperty("total").GetInt32()}, not {size}.");
                }
            }

            var counts = pipeline.Requests.TakeSnapshot().Where(c => !c.Key.EndsWith(" actions", StringComparison.Ordinal)).ToList();
            times.Sort();
            Console.WriteLine($"  {size,5:N0} gateways: median {times[times.Count / 2],6:F1} ms, p95 {times[(int)(times.Count * 0.95)],6:F1} ms, " +
                $"{(double)counts.Sum(c => c.Value) / rounds:F1} table requests per list request");
            foreach (var (key, value) in counts)
            {
                Console.WriteLine($"      {key,-40} {(double)value / rounds,6:F1}");
            }
        }

        return 0;
    }

    /// <summary>Gateways [from, to) claimed by one customer and linked through the services the API uses; every 20th raises a critical alert.</summary>
    private static async Task LinkMoreAsync(LocalPipeline pipeline, int dealerId, int from, int to)
    {
        var ids = Enumerable.Range(from, to - from).Select(i => $"DL{i:D10}").ToList();
        await pipeline.AddToInventoryAsync(ids);
        var claims = pipeline.Services.GetRequiredService<GatewayClaims>();
        var sites = pipeline.Services.GetRequiredService<CustomerSites>();
        var links = pipeline.Services.GetRequiredService<MaintenanceLinks>();
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, ct) =>
        {
            await claims.TryInsertAsync(new GatewayClaim(id, "bench-owner", "owner@bench.example.jp", ClaimStatus.Active, now, null, default), ct);
            var site = new CustomerSite("bench-owner", id, "案件 " + id, new PostalAddress("605-0073", "京都府", "京都市東山区", "祇園町北側1"), null, now);
            await sites.UpsertAsync(site, ct);
            await links.TryLinkAsync(id, dealerId, now, new ListedNames(site.SiteName, "顧客 " + id), ct);
        });

        var alerting = ids.Where((_, i) => (from + i) % 20 == 0)
            .Select(id => new SimulatedGateway(new DemoGateway(id, "GW-M001", "0" + id, SimulatedProduct.MultiV2x)))
            .Select(gateway => gateway.Next(now, now, TimeSpan.FromMinutes(1)) with { BatteryTempC = 62 })
            .ToList();
        var producer = new EventHubsProducerClient(pipeline.TelemetryConnectionString);
        foreach (var batch in alerting.Chunk(1000))
        {
            await producer.SendBatchAsync(TelemetrySender.ToOutgoing(batch).ToList());
        }
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(100))
        {
            if (await probe() is var value && done(value))
            {
                return value;
            }
        }

        throw new TimeoutException("The demo dealer was not signed up within 60 s.");
    }
}
