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
            ours.Starts.Add(await TimeOneStartAsync(ours, client));
            baseline.Starts.Add(await TimeOneStartAsync(baseline, client));
            Console.WriteLine($"  run {run + 1,2}: ours {ours.Starts[^1].WallMs,7:F1} ms (CPU {ours.Starts[^1].CpuMs,6:F1})   baseline {baseline.Starts[^1].WallMs,7:F1} ms (CPU {baseline.Starts[^1].CpuMs,6:F1})");
        }

        Console.WriteLine($"cold start (process start -> first 200 /api/health), {runs} interleaved runs each:");
        var oursWall = Summarise(ours.Name, "wall", ours.Starts.Select(s => s.WallMs));
        var baselineWall = Summarise(baseline.Name, "wall", baseline.Starts.Select(s => s.WallMs));
        var oursCpu = Summarise(ours.Name, "CPU", ours.Starts.Select(s => s.CpuMs));
        var baselineCpu = Summarise(baseline.Name, "CPU", baseline.Starts.Select(s => s.CpuMs));
        Console.WriteLine($"  ours/baseline: wall median {oursWall.Median / baselineWall.Median:F2}, wall min {oursWall.Min / baselineWall.Min:F2}, CPU median {oursCpu.Median / baselineCpu.Median:F2}");
        return 0;
    }

    private sealed record App(string Name, string Executable, string Directory)
    {
        public List<Start> Starts { get; } = [];
    }

    /// <summary>What a deployment sets (the Bicep does) and the app refuses to start under the host without.</summary>
    private static readonly Dictionary<string, string> DeployedSettings = new()
    {
        ["Portal__BaseUrl"] = "https://portal.kpnet.example.jp/",
        ["Support__Name"] = "KP-NET サポートセンター",
        ["Support__Phone"] = "0120-000-000",
        ["Support__Hours"] = "平日 9:00〜17:00",
        ["Email__SenderAddress"] = "no-reply@kpnet.example.jp",
        ["Email__Endpoint"] = "https://kpnet.communication.azure.com/",
        ["TelemetryGatewaySend"] = "Endpoint=sb://kpnet.servicebus.windows.net/;SharedAccessKeyName=gateway-send;SharedAccessKey=bench;EntityPath=telemetry",
        ["TelemetryEventHub__fullyQualifiedNamespace"] = "kpnet.servicebus.windows.net",
    };

    /// <summary>Wall time to the first 200, and the CPU time the process had used by then (user + system, all threads).</summary>
    private sealed record Start(double WallMs, double CpuMs);

    private static (double Median, double Min) Summarise(string app, string what, IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToList();
        var count = sorted.Count;
        var median = count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
        Console.WriteLine($"  {app,-8} {what,-4} median {median,7:F1} ms, min {sorted[0],7:F1} ms, max {sorted[^1],7:F1} ms");
        return (median, sorted[0]);
    }

    private static async Task<Start> TimeOneStartAsync(App app, HttpClient client)
    {
        var port = BenchSupport.FreePort();
        var start = new ProcessStartInfo(app.Executable) { WorkingDirectory = app.Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        foreach (var (name, value) in DeployedSettings)
        {
            start.Environment[name] = value;
        }

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
                        var wall = clock.Elapsed.TotalMilliseconds;
                        process.Refresh();
                        return new Start(wall, process.TotalProcessorTime.TotalMilliseconds);
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
