using Azure;
using Azure.Data.Tables;
using KpNet.Hosting;
using KpNet.Inventory;
using KpNet.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Bench;

/// <summary>
/// The local telemetry pipeline in this process: Azurite (AZURITE_CONNECTION_STRING, whose Azurite also serves the
/// telemetry accounts beside it, <see cref="TelemetryAccounts"/>, as ./run.sh's does; or the repository's Azurite in memory
/// on free ports) and the app in local mode with its telemetry tables over <c>telemetryShards</c> accounts, whose ingest
/// endpoint feeds the real TelemetryIngest function.
/// Every table request is counted (<see cref="TableRequestCounter"/>).
/// </summary>
public sealed class LocalPipeline : IAsyncDisposable
{
    private const string TelemetryKey = "bench-telemetry-key";

    private readonly AzuriteServer? _azurite;
    private readonly WebApplication _app;
    private readonly string _dataFolder;

    private LocalPipeline(AzuriteServer? azurite, WebApplication app, string dataFolder, Uri address, TableRequestCounter requests, IReadOnlyList<string> telemetryAccounts)
    {
        TelemetryAccountNames = telemetryAccounts;
        Requests = requests;
        BaseAddress = address;
        _azurite = azurite;
        _app = app;
        _dataFolder = dataFolder;
        TelemetryConnectionString = Connection(address.Authority);
    }

    /// <summary>Every request of every table client of the app, the bench's own inventory writes included.</summary>
    public TableRequestCounter Requests { get; }

    public string TelemetryConnectionString { get; }

    /// <summary>The storage accounts of the telemetry tables, shard 0 first.</summary>
    public IReadOnlyList<string> TelemetryAccountNames { get; }

    /// <summary>The app's HTTP address (Kestrel on a free loopback port).</summary>
    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    private static string Connection(string authority) =>
        $"Endpoint=sb://{authority}/;SharedAccessKeyName=bench-send;SharedAccessKey={TelemetryKey};EntityPath=telemetry";

    /// <param name="demoDealers">Sign up the two demo dealers at start (DemoData__Dealers), as ./run.sh does.</param>
    public static async Task<LocalPipeline> StartAsync(int maxEventBatchSize, bool demoDealers = false, int telemetryShards = 2)
    {
        var given = Environment.GetEnvironmentVariable("AZURITE_CONNECTION_STRING");
        var azurite = string.IsNullOrEmpty(given) ? await AzuriteServer.StartAsync() : null;
        var storage = azurite?.ConnectionString ?? given!;
        var dataFolder = Path.Combine(Path.GetTempPath(), "kpnet-bench", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["AzureWebJobsStorage"] = storage,
            ["KPNET_DATA_DIR"] = dataFolder,
            ["TelemetryEventHub"] = Connection("127.0.0.1"),
            ["TelemetryGatewaySend"] = Connection("127.0.0.1"),
            ["DemoData:GatewaysCsv"] = "",
            ["AzureFunctionsJobHost:extensions:eventHubs:maxEventBatchSize"] = maxEventBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["DemoData:Dealers"] = demoDealers ? "true" : "false",
        };
        foreach (var (key, value) in TelemetryAccounts.Settings(storage, telemetryShards))
        {
            settings[key] = value;
        }

        var requests = new TableRequestCounter();
        var app = KpNetApp.Create(
            settings.Select(s => $"--{s.Key}={s.Value}").ToArray(),
            configureServices: builder => builder.Services.AddSingleton(requests.Registration));
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // An app that refuses to start must not leave the Azurite it was given running after the bench exits.
            await app.DisposeAsync();
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            throw;
        }

        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var telemetryAccounts = TelemetryAccounts.Names(TelemetryAccounts.AccountIn(storage) ?? "", telemetryShards).ToList();
        return new LocalPipeline(azurite, app, dataFolder, address, requests, telemetryAccounts);
    }

    /// <summary>Inventory rows written directly (only their existence matters to ingestion), skipping password hashing.</summary>
    public async Task AddToInventoryAsync(IEnumerable<string> gatewayIds)
    {
        var table = Services.GetRequiredService<StorageAccount>().GetTableClient(GatewayInventory.TableName);
        await Parallel.ForEachAsync(gatewayIds, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, ct) =>
            await table.UpsertEntityAsync(new TableEntity(id, "") { ["Model"] = "GW-M001", ["Serial"] = "0" + id[2..], ["Product"] = "MultiV2x" }, TableUpdateMode.Replace, ct));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        if (Directory.Exists(_dataFolder))
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
    }
}
