using KpNet.Hosting;
using KpNet.Hosting.Invocation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Infrastructure;

/// <summary>
/// The real app on real Kestrel (a free loopback port), against the test Azurite: the leased account, and for the
/// telemetry tables the two telemetry accounts leased with it (<see cref="AzuriteProcess.TelemetryShardConnectionStrings"/>).
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public const string TelemetryKeyName = "test-send";
    public const string TelemetryKey = "test-telemetry-key";

    private readonly WebApplication _app;

    private TestApp(WebApplication app, Uri baseAddress, string dataFolder)
    {
        _app = app;
        BaseAddress = baseAddress;
        DataFolder = dataFolder;
        Client = LoopbackClient.Create(baseAddress);
    }

    public Uri BaseAddress { get; }

    /// <summary>A client of the app with an address of its own (<see cref="LoopbackClient"/>).</summary>
    public HttpClient Client { get; }

    public string DataFolder { get; }

    public IServiceProvider Services => _app.Services;

    public string TelemetryConnectionString => TelemetryConnection(BaseAddress);

    public static string TelemetryConnection(Uri endpoint) =>
        $"Endpoint=sb://{endpoint.Authority}/;SharedAccessKeyName={TelemetryKeyName};SharedAccessKey={TelemetryKey};EntityPath=telemetry";

    /// <param name="underFunctionsHost">Start as the Functions host would (no local triggers) instead of in local mode.</param>
    public static async Task<TestApp> StartAsync(
        string storageConnectionString,
        Action<WebApplicationBuilder>? configure = null,
        bool underFunctionsHost = false,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var dataFolder = Path.Combine(Path.GetTempPath(), "kpnet-tests", Guid.NewGuid().ToString("N"));
        var arguments = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["AzureWebJobsStorage"] = storageConnectionString,
            ["KPNET_DATA_DIR"] = dataFolder,
            ["TelemetryEventHub"] = TelemetryConnection(new Uri("http://127.0.0.1/")),
            ["TelemetryGatewaySend"] = TelemetryConnection(new Uri("http://127.0.0.1/")),
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00",
            ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200",

            // Hundreds of accounts and gateways are hashed in a run: what the tests prove does not depend on the work factor.
            ["Security:PasswordHashIterations"] = "1000",
        };
        foreach (var (key, value) in TelemetryAccounts.Settings(storageConnectionString, AzuriteProcess.TelemetryShards))
        {
            arguments[key] = value;
        }

        if (underFunctionsHost)
        {
            arguments["FUNCTIONS_CUSTOMHANDLER_PORT"] = "0";
            foreach (var (setting, value) in DeployedSettings.Values)
            {
                arguments[setting.Key] = value;
            }
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            arguments[key] = value;
        }

        var app = KpNetApp.Create(arguments.Select(a => $"--{a.Key}={a.Value}").ToArray(), configureServices: configure);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestApp(app, new Uri(address), dataFolder);
    }

    /// <summary>
    /// Started as the Functions host starts it. The host's app creates no storage (the infrastructure does), so the tables
    /// and queues are created here as the local mode would.
    /// </summary>
    public static async Task<TestApp> StartHostedAsync(
        string storageConnectionString, Action<WebApplicationBuilder>? configure = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var app = await StartAsync(storageConnectionString, configure, underFunctionsHost: true, settings);
        await ActivatorUtilities.CreateInstance<StorageInitializer>(app.Services).StartAsync(CancellationToken.None);
        return app;
    }

    /// <summary>Runs a function now, as its local trigger would: through the dispatcher, with the payload the host would send.</summary>
    public async Task<InvocationResult> InvokeAsync(string functionName, string payload) =>
        await Services.GetRequiredService<InvocationDispatcher>().DispatchAsync(
            functionName, System.Text.Encoding.UTF8.GetBytes(payload), Guid.NewGuid().ToString(), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(DataFolder))
        {
            Directory.Delete(DataFolder, recursive: true);
        }
    }
}
