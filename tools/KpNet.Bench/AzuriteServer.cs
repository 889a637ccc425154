using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using KpNet.Tests.Infrastructure;

namespace KpNet.Bench;

/// <summary>
/// The repository's Azurite (node_modules) on loopback and free ports, in memory or with its data in a folder
/// (<paramref name="location"/>), which survives <see cref="StopAsync"/> and <see cref="RestartAsync"/>. It serves the
/// well-known account and up to <see cref="MaxTelemetryShards"/> telemetry accounts beside it (<see cref="TelemetryAccounts"/>).
/// </summary>
public sealed class AzuriteServer(string? location) : IAsyncDisposable
{
    private const string Account = "devstoreaccount1";
    private const string WellKnownKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    public const int MaxTelemetryShards = 8;
    private const int SigTerm = 15;
    private const int SigStop = 19;
    private const int SigCont = 18;

    private readonly (int Blob, int Queue, int Table) _ports = (BenchSupport.FreePort(), BenchSupport.FreePort(), BenchSupport.FreePort());
    private Process? _process;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={WellKnownKey};" +
        $"BlobEndpoint=http://127.0.0.1:{_ports.Blob}/{Account};QueueEndpoint=http://127.0.0.1:{_ports.Queue}/{Account};" +
        $"TableEndpoint=http://127.0.0.1:{_ports.Table}/{Account};";

    public static async Task<AzuriteServer> StartAsync(string? location = null)
    {
        var server = new AzuriteServer(location);
        await server.RunAsync();
        return server;
    }

    /// <summary>After <see cref="StopAsync"/>: the same ports and data.</summary>
    public Task RestartAsync() => RunAsync();

    private async Task RunAsync()
    {
        var azurite = Path.Combine(BenchSupport.RepositoryRoot(), "node_modules", ".bin", "azurite");
        var start = new ProcessStartInfo(azurite)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["AZURITE_ACCOUNTS"] = string.Join(';', TelemetryAccounts.Names(Account, MaxTelemetryShards).Prepend(Account).Select(a => $"{a}:{WellKnownKey}")),
            },
        };
        var storage = location is null ? "--inMemoryPersistence" : $"--location {location}";
        foreach (var argument in $"--silent {storage} --disableTelemetry --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 --blobPort {_ports.Blob} --queuePort {_ports.Queue} --tablePort {_ports.Table}".Split(' '))
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        foreach (var port in new[] { _ports.Blob, _ports.Queue, _ports.Table })
        {
            while (!await AcceptsAsync(port))
            {
                if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"Azurite ({azurite}) did not start listening; run 'npm ci' first.");
                }

                await Task.Delay(100);
            }
        }
    }

    /// <summary>
    /// Storage goes away at once, with what it acknowledged kept: SIGTERM makes Azurite stop listening, drop its connections
    /// and save its tables (it saves them every 5 s otherwise, so a bare SIGKILL loses the last seconds of acknowledged
    /// writes, which an Azure account never does); SIGKILL then ends whatever is left of the process.
    /// </summary>
    public async Task StopAsync()
    {
        var process = _process!;
        Signal(SigTerm);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            // Still closing: what it saved by now is what it keeps.
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    /// <summary>Freezes the process (SIGSTOP): connections are accepted by the kernel but never answered.</summary>
    public void Pause() => Signal(SigStop);

    public void Resume() => Signal(SigCont);

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            Resume();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private void Signal(int signal)
    {
        if (kill(_process!.Id, signal) != 0)
        {
            throw new InvalidOperationException($"Signal {signal} to Azurite failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }
}
