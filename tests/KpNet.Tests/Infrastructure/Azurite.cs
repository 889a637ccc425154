using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KpNet.Tests.Infrastructure;

/// <summary>
/// One Azurite process from the repository's npm packages (in memory, loopback, free ports), serving many storage
/// accounts (AZURITE_ACCOUNTS) so that every test class can have one no other test sees: each lease is a main account
/// and its <see cref="TelemetryShards"/> telemetry accounts (<see cref="TelemetryAccounts"/>).
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Every account has this key; accounts keep tests apart, not secrets.</summary>
    public const string AccountKey = "a3BuZXQtdGVzdC1zdG9yYWdlLWtleQ==";

    /// <summary>Telemetry storage accounts leased with each main account, as ./run.sh runs the app: two.</summary>
    public const int TelemetryShards = 2;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Dictionary<string, int> _ports = [];
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string[] _accounts;
    private int _leased;

    private AzuriteProcess(int accounts)
    {
        _accounts = Enumerable.Range(1, accounts).Select(i => "kpnet" + i.ToString("D4", CultureInfo.InvariantCulture)).ToArray();
        var azurite = Path.Combine(RepositoryRoot.Path, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"Azurite is not installed at {azurite}: run 'npm ci' in {RepositoryRoot.Path}.");
        }

        var start = new ProcessStartInfo(azurite)
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["AZURITE_ACCOUNTS"] = string.Join(';', _accounts.SelectMany(a => TelemetryAccounts.Names(a, TelemetryShards).Prepend(a)).Select(a => $"{a}:{AccountKey}")) },
        };
        foreach (var argument in "--silent --inMemoryPersistence --disableTelemetry --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 --blobPort 0 --queuePort 0 --tablePort 0".Split(' '))
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        _process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        _process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException($"Azurite exited early:\n{Output()}"));
    }

    public static async Task<AzuriteProcess> StartAsync(int accounts = 1)
    {
        var azurite = new AzuriteProcess(accounts);
        azurite._process.Start();
        azurite._process.BeginOutputReadLine();
        azurite._process.BeginErrorReadLine();
        try
        {
            await azurite._listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            await azurite.DisposeAsync();
            throw new TimeoutException($"Azurite did not report its three listeners within {StartTimeout.TotalSeconds} s. Output:\n{azurite.Output()}");
        }

        return azurite;
    }

    /// <summary>The connection strings of the telemetry accounts leased with the main account of <paramref name="connectionString"/>.</summary>
    public static IReadOnlyList<string> TelemetryShardConnectionStrings(string connectionString) =>
        TelemetryAccounts.ConnectionStrings(connectionString, TelemetryShards);

    /// <summary>A connection string for an account no one has had yet (with its telemetry accounts).</summary>
    public string LeaseAccount()
    {
        var index = Interlocked.Increment(ref _leased) - 1;
        if (index >= _accounts.Length)
        {
            throw new InvalidOperationException($"All {_accounts.Length} Azurite accounts are leased; start Azurite with more.");
        }

        var account = _accounts[index];
        return $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{_ports["Blob"]}/{account};" +
            $"QueueEndpoint=http://127.0.0.1:{_ports["Queue"]}/{account};" +
            $"TableEndpoint=http://127.0.0.1:{_ports["Table"]}/{account};";
    }

    /// <summary>Freezes the process (SIGSTOP): connections are accepted by the kernel but never answered, as with a stalled account.</summary>
    public void Pause() => ProcessSignals.Send(_process, ProcessSignals.Stop);

    public void Resume() => ProcessSignals.Send(_process, ProcessSignals.Continue);

    /// <summary>Ends the process: connections are refused, as with an unreachable account.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at http://[^:]+:(\d+)")]
    private static partial Regex ListeningLine();

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                _ports[match.Groups[1].Value] = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
                if (_ports.Count == 3)
                {
                    _listening.TrySetResult();
                }
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}

/// <summary>
/// Storage of the test class's own: an account of the Azurite shared by the whole test run, started on first use and
/// ended with the run. Classes run in parallel; a class's tests run one after another and share its account.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Far more than there are test classes; an account costs Azurite nothing until used.</summary>
    private const int Accounts = 400;

    private static readonly Lazy<Task<AzuriteProcess>> Shared = new(StartSharedAsync);

    public string ConnectionString { get; private set; } = "";

    public static async Task<string> LeaseAccountAsync() => (await Shared.Value).LeaseAccount();

    public async Task InitializeAsync() => ConnectionString = await LeaseAccountAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<AzuriteProcess> StartSharedAsync()
    {
        var azurite = await AzuriteProcess.StartAsync(Accounts);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return azurite;
    }
}
