using System.Diagnostics;
using System.Globalization;
using KpNet.Tests.Infrastructure;

namespace KpNet.Bench.Faults;

/// <summary>
/// The function app as run.sh runs it (dotnet KpNet.Handler.dll, local mode: its own queue pollers, timers and ingest
/// endpoint), configured by environment variables only, in a folder of its own, so it can be killed and started again.
/// Its console goes to app.log in that folder.
/// </summary>
public sealed class AppProcess(string folder, string storage, string inventoryCsv) : IAsyncDisposable
{
    public const string TelemetryKey = "faults-bench-telemetry-key";

    private readonly int _port = BenchSupport.FreePort();
    private readonly StreamWriter _log = new(Path.Combine(folder, "app.log"), append: true) { AutoFlush = true };
    private Process? _process;
    private TaskCompletionSource _imported = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri BaseAddress => new($"http://127.0.0.1:{_port}/");

    public string MailFolder => Path.Combine(folder, "data", "mail");

    /// <summary>The app's start-up import of the inventory (DemoData__GatewaysCsv) is done: its gateways can be registered.</summary>
    public Task InventoryImported => _imported.Task;

    public void Start()
    {
        var handler = Path.Combine(BenchSupport.RepositoryRoot(), "functions", "KpNet.Functions", "bin", "Release", "net10.0", "KpNet.Handler.dll");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(handler);
        start.Environment.Remove("FUNCTIONS_CUSTOMHANDLER_PORT");
        var telemetry = $"Endpoint=sb://127.0.0.1:{_port}/;SharedAccessKeyName=gateway-send;SharedAccessKey={TelemetryKey};EntityPath=telemetry";
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["KPNET_PORT"] = _port.ToString(CultureInfo.InvariantCulture),
            ["KPNET_DATA_DIR"] = Path.Combine(folder, "data"),
            ["AzureWebJobsStorage"] = storage,
            ["TelemetryEventHub"] = telemetry,
            ["TelemetryGatewaySend"] = telemetry,
            ["Http__RequestTimeout"] = "00:00:10",
            ["DemoData__GatewaysCsv"] = inventoryCsv,
            ["DemoData__Dealers"] = "false",
            ["Email__SenderAddress"] = "no-reply@kpnet.example.jp",
            ["Portal__BaseUrl"] = BaseAddress.AbsoluteUri.TrimEnd('/'),
            ["Portal__StaticFiles"] = Path.Combine(folder, "no-portal"),
        })
        {
            start.Environment[name] = value;
        }

        foreach (var (name, value) in TelemetryAccounts.Settings(storage, 2, separator: "__"))
        {
            start.Environment[name] = value;
        }

        _imported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet {handler} did not start.");
        _process.OutputDataReceived += (_, e) => Log(e.Data);
        _process.ErrorDataReceived += (_, e) => Log(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL: no shutdown, whatever it was doing stops where it is.</summary>
    public async Task KillAsync()
    {
        _process!.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
        Log("--- killed (SIGKILL) by the faults bench ---");
    }

    /// <summary>Until /api/health answers 200 (the process listens); its start-up work goes on in the background.</summary>
    public async Task WaitUntilListeningAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(BaseAddress, "api/health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (_process is not { HasExited: false } || clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new InvalidOperationException($"The app did not start; see {Path.Combine(folder, "app.log")}.");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        await _log.DisposeAsync();
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            if (line.Contains("Gateway inventory import:", StringComparison.Ordinal))
            {
                _imported.TrySetResult();
            }

            lock (_log)
            {
                _log.WriteLine(line);
            }
        }
    }
}
