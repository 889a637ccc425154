using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace KpNet.Bench;

/// <summary>Cold start of the published handler: process start → first 200 from /api/health, median of N runs.</summary>
public static class ColdStart
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = int.Parse(BenchSupport.Option(args, "--runs") ?? "10", CultureInfo.InvariantCulture);
        var root = BenchSupport.RepositoryRoot();
        var publishDir = Path.GetFullPath(BenchSupport.Option(args, "--publish-dir") ?? Path.Combine(root, "artifacts", "publish"));
        if (!args.Contains("--no-publish"))
        {
            Console.WriteLine($"Publishing to {publishDir} ...");
            var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", "functions/KpNet.Functions", "-c", "Release", "-o", publishDir]) { WorkingDirectory = root })!;
            await publish.WaitForExitAsync();
            if (publish.ExitCode != 0)
            {
                return publish.ExitCode;
            }
        }

        var executable = Path.Combine(publishDir, "KpNet.Handler");
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(5) };
        var timings = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            timings.Add(await TimeOneStartAsync(executable, publishDir, client));
            Console.WriteLine($"  run {run + 1,2}: {timings[^1],8:F1} ms");
        }

        timings.Sort();
        var median = runs % 2 == 1 ? timings[runs / 2] : (timings[runs / 2 - 1] + timings[runs / 2]) / 2;
        Console.WriteLine($"cold start (process start -> first 200 /api/health), {runs} runs: median {median:F1} ms, min {timings[0]:F1} ms, max {timings[^1]:F1} ms");
        return 0;
    }

    private static async Task<double> TimeOneStartAsync(string executable, string workingDirectory, HttpClient client)
    {
        var port = BenchSupport.FreePort();
        var start = new ProcessStartInfo(executable) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
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

            throw new TimeoutException("The handler did not answer within 60 s.");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
