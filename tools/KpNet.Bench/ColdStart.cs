using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace KpNet.Bench;

/// <summary>
/// Cold start of the published handler against a trivial minimal-API app published the same way
/// (tools/KpNet.Bench.Baseline): process start → first 200 from /api/health, both started as the Functions host starts a
/// custom handler, interleaved (ours, baseline, ours, …) so both medians come from the same minutes of a busy machine.
/// </summary>
public static class ColdStart
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = int.Parse(BenchSupport.Option(args, "--runs") ?? "10", CultureInfo.InvariantCulture);
        var root = BenchSupport.RepositoryRoot();
        var publishDir = Path.GetFullPath(BenchSupport.Option(args, "--publish-dir") ?? Path.Combine(root, "artifacts", "publish"));
        var baselineDir = Path.GetFullPath(BenchSupport.Option(args, "--baseline-dir") ?? publishDir.TrimEnd('/') + "-baseline");
        if (!args.Contains("--no-publish"))
        {
            foreach (var (project, directory) in new[] { ("functions/KpNet.Functions", publishDir), ("tools/KpNet.Bench.Baseline", baselineDir) })
            {
                Console.WriteLine($"Publishing {project} to {directory} ...");
                var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-o", directory]) { WorkingDirectory = root })!;
                await publish.WaitForExitAsync();
                if (publish.ExitCode != 0)
                {
                    return publish.ExitCode;
                }
            }
        }

        var ours = new App("ours", Path.Combine(publishDir, "KpNet.Handler"), publishDir);
        var baseline = new App("baseline", Path.Combine(baselineDir, "KpNet.Bench.Baseline"), baselineDir);
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(5) };
        // One start of each, not counted: the first start after publishing also reads the freshly written files.
        await TimeOneStartAsync(ours, client);
        await TimeOneStartAsync(baseline, client);
        for (var run = 0; run < runs; run++)
        {
            ours.Timings.Add(await TimeOneStartAsync(ours, client));
            baseline.Timings.Add(await TimeOneStartAsync(baseline, client));
            Console.WriteLine($"  run {run + 1,2}: ours {ours.Timings[^1],8:F1} ms   baseline {baseline.Timings[^1],8:F1} ms");
        }

        Console.WriteLine($"cold start (process start -> first 200 /api/health), {runs} interleaved runs each:");
        var oursMedian = Summarise(ours);
        var baselineMedian = Summarise(baseline);
        Console.WriteLine($"  ratio of medians ours/baseline: {oursMedian / baselineMedian:F2}, of mins: {ours.Timings.Min() / baseline.Timings.Min():F2}");
        return 0;
    }

    private sealed record App(string Name, string Executable, string Directory)
    {
        public List<double> Timings { get; } = [];
    }

    private static double Summarise(App app)
    {
        var sorted = app.Timings.Order().ToList();
        var count = sorted.Count;
        var median = count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
        Console.WriteLine($"  {app.Name,-8} median {median,7:F1} ms, min {sorted[0],7:F1} ms, max {sorted[^1],7:F1} ms");
        return median;
    }

    private static async Task<double> TimeOneStartAsync(App app, HttpClient client)
    {
        var port = BenchSupport.FreePort();
        var start = new ProcessStartInfo(app.Executable) { WorkingDirectory = app.Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        var url = new Uri($"http://127.0.0.1:{port}/api/health");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                try
                {
                    using var response = await client.GetAsync(url);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return clock.Elapsed.TotalMilliseconds;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet: the host polls the same way.
                }

                await Task.Delay(2);
            }

            throw new TimeoutException($"{app.Executable} did not answer within 60 s.");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
