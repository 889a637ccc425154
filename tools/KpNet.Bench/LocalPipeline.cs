using System.Diagnostics;
using System.Net.Sockets;
using Azure;
using Azure.Data.Tables;
using KpNet.Gateways.Inventory;
using KpNet.Hosting;
using KpNet.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Bench;

/// <summary>
/// The local telemetry pipeline in this process: Azurite (AZURITE_CONNECTION_STRING, or the repository's Azurite in
/// memory on free ports) and the app in local mode, whose ingest endpoint feeds the real TelemetryIngest function.
/// Every table request is counted (<see cref="TableRequestCounter"/>).
/// </summary>
public sealed class LocalPipeline : IAsyncDisposable
{
    private const string TelemetryKey = "bench-telemetry-key";
    private const string WellKnownKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process? _azurite;
    private readonly WebApplication _app;
    private readonly string _dataFolder;

    private LocalPipeline(Process? azurite, WebApplication app, string dataFolder, Uri address, TableRequestCounter requests)
    {
        Requests = requests;
        _azurite = azurite;
        _app = app;
        _dataFolder = dataFolder;
        TelemetryConnectionString = Connection(address.Authority);
    }

    /// <summary>Every request of every table client of the app, the bench's own inventory writes included.</summary>
    public TableRequestCounter Requests { get; }

    public string TelemetryConnectionString { get; }

    public IServiceProvider Services => _app.Services;

    private static string Connection(string authority) =>
        $"Endpoint=sb://{authority}/;SharedAccessKeyName=bench-send;SharedAccessKey={TelemetryKey};EntityPath=telemetry";

    public static async Task<LocalPipeline> StartAsync(int maxEventBatchSize)
    {
        var (azurite, storage) = await StartAzuriteAsync();
        var dataFolder = Path.Combine(Path.GetTempPath(), "kpnet-bench", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["AzureWebJobsStorage"] = storage,
            ["KPNET_DATA_DIR"] = dataFolder,
            ["TelemetryEventHub"] = Connection("127.0.0.1"),
            ["DemoData:GatewaysCsv"] = "",
            ["AzureFunctionsJobHost:extensions:eventHubs:maxEventBatchSize"] = maxEventBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var requests = new TableRequestCounter();
        var app = KpNetApp.Create(
            settings.Select(s => $"--{s.Key}={s.Value}").ToArray(),
            configureServices: builder => builder.Services.AddSingleton(requests.Registration));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new LocalPipeline(azurite, app, dataFolder, address, requests);
    }

    /// <summary>Inventory rows written directly (only their existence matters to ingestion), skipping password hashing.</summary>
    public async Task AddToInventoryAsync(IEnumerable<string> gatewayIds)
    {
        var table = Services.GetRequiredService<StorageAccount>().GetTableClient(GatewayInventory.TableName);
        await Parallel.ForEachAsync(gatewayIds, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, ct) =>
            await table.UpsertEntityAsync(new TableEntity(id, "") { ["Model"] = "GW-M001", ["Serial"] = "0" + id[2..], ["Product"] = "MultiV2x" }, TableUpdateMode.Replace, ct));
    }

    private static async Task<(Process? Process, string ConnectionString)> StartAzuriteAsync()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_CONNECTION_STRING") is { Length: > 0 } given)
        {
            return (null, given);
        }

        var azurite = Path.Combine(BenchSupport.RepositoryRoot(), "node_modules", ".bin", "azurite");
        var (blob, queue, table) = (BenchSupport.FreePort(), BenchSupport.FreePort(), BenchSupport.FreePort());
        var start = new ProcessStartInfo(azurite) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in $"--silent --inMemoryPersistence --disableTelemetry --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 --blobPort {blob} --queuePort {queue} --tablePort {table}".Split(' '))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        foreach (var port in new[] { blob, queue, table })
        {
            while (!await AcceptsAsync(port))
            {
                if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"Azurite ({azurite}) did not start listening; run 'npm ci' first.");
                }

                await Task.Delay(100);
            }
        }

        return (process, $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={WellKnownKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;");
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_azurite is not null)
        {
            _azurite.Kill(entireProcessTree: true);
            await _azurite.WaitForExitAsync();
            _azurite.Dispose();
        }

        if (Directory.Exists(_dataFolder))
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
    }
}
