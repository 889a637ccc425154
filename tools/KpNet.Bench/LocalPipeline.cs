using System.Collections.Concurrent;
using Azure;
using KpNet.Azure.Storage.Tables;
using KpNet.Gateways.Inventory;
using KpNet.Hosting;
using KpNet.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Bench;

/// <summary>
/// The local telemetry pipeline in this process: Azurite (AZURITE_CONNECTION_STRING, or the repository's Azurite in
/// memory on free ports) and the app in local mode, whose ingest endpoint feeds the real TelemetryIngest function.
/// Every table operation of the telemetry tables is counted.
/// </summary>
public sealed class LocalPipeline : IAsyncDisposable
{
    private const string TelemetryKey = "bench-telemetry-key";

    private readonly AzuriteServer? _azurite;
    private readonly WebApplication _app;
    private readonly string _dataFolder;

    private LocalPipeline(AzuriteServer? azurite, WebApplication app, string dataFolder, Uri address)
    {
        _azurite = azurite;
        _app = app;
        _dataFolder = dataFolder;
        TelemetryConnectionString = Connection(address.Authority);
    }

    public TableOperationCounts Counts { get; } = new();

    public string TelemetryConnectionString { get; }

    public IServiceProvider Services => _app.Services;

    private static string Connection(string authority) =>
        $"Endpoint=sb://{authority}/;SharedAccessKeyName=bench-send;SharedAccessKey={TelemetryKey};EntityPath=telemetry";

    public static async Task<LocalPipeline> StartAsync(int maxEventBatchSize)
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
            ["DemoData:GatewaysCsv"] = "",
            ["AzureFunctionsJobHost:extensions:eventHubs:maxEventBatchSize"] = maxEventBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        TableOperationCounts? counts = null;
        var app = KpNetApp.Create(
            settings.Select(s => $"--{s.Key}={s.Value}").ToArray(),
            configureServices: builder => builder.Services.AddSingleton(sp =>
            {
                var account = sp.GetRequiredService<StorageAccount>();
                return new TelemetryTables(name => new CountingTableClient(account.GetTableClient(name), counts!));
            }));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var pipeline = new LocalPipeline(azurite, app, dataFolder, address);
        counts = pipeline.Counts;
        return pipeline;
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

/// <summary>Table operations by "Table operation", e.g. "GatewayStatus update"; a transaction also counts its entities.</summary>
public sealed class TableOperationCounts
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(string table, string operation, long count = 1) => _counts.AddOrUpdate($"{table} {operation}", count, (_, n) => n + count);

    public IReadOnlyDictionary<string, long> TakeSnapshot()
    {
        var snapshot = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var key in _counts.Keys)
        {
            snapshot[key] = _counts.TryRemove(key, out var n) ? n : 0;
        }

        return snapshot;
    }
}

internal sealed class CountingTableClient(TableClient inner, TableOperationCounts counts) : TableClient
{
    public override string Name => inner.Name;

    public override Task<NullableResponse<TableEntity>> GetEntityIfExistsAsync(
        string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) =>
        Counted("point read", inner.GetEntityIfExistsAsync(partitionKey, rowKey, select, cancellationToken));

    public override Task<Response<TableEntity>> GetEntityAsync(
        string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) =>
        Counted("point read", inner.GetEntityAsync(partitionKey, rowKey, select, cancellationToken));

    public override AsyncPageable<TableEntity> QueryAsync(
        string? filter = null, int? maxPerPage = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        counts.Add(Name, "query");
        return inner.QueryAsync(filter, maxPerPage, select, cancellationToken);
    }

    public override Task<Response> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default) =>
        Counted("insert", inner.AddEntityAsync(entity, cancellationToken));

    public override Task<Response> UpdateEntityAsync(
        TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
        Counted("update", inner.UpdateEntityAsync(entity, ifMatch, mode, cancellationToken));

    public override Task<Response> UpsertEntityAsync(
        TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
        Counted("upsert", inner.UpsertEntityAsync(entity, mode, cancellationToken));

    public override Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(
        IEnumerable<TableTransactionAction> transactionActions, CancellationToken cancellationToken = default)
    {
        var actions = transactionActions.ToList();
        counts.Add(Name, "transaction entities", actions.Count);
        return Counted("transaction", inner.SubmitTransactionAsync(actions, cancellationToken));
    }

    private Task<T> Counted<T>(string operation, Task<T> request)
    {
        counts.Add(Name, operation);
        return request;
    }
}
