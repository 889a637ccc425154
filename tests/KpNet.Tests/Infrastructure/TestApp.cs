using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Infrastructure;

/// <summary>The real app on real Kestrel (a free loopback port), against the test Azurite.</summary>
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
        Client = CreateClient();
    }

    public Uri BaseAddress { get; }

    /// <summary>A client of the app, sending bodies as <see cref="CreateClient"/> describes.</summary>
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
        };
        if (underFunctionsHost)
        {
            arguments["FUNCTIONS_CUSTOMHANDLER_PORT"] = "0";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            arguments[key] = value;
        }

        var app = KpNetApp.Create(arguments.Select(a => $"--{a.Key}={a.Value}").ToArray(), configureServices: configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestApp(app, new Uri(address), dataFolder);
    }

    /// <summary>
    /// A new client of the app (through <paramref name="handler"/> when given, e.g. for its cookies) that sends every body with a
    /// Content-Length, as every client of the app must: the Functions host drops a chunked body, and locally the app answers 411.
    /// HttpClient would otherwise send JSON content chunked. A request that asks for chunked still gets it.
    /// </summary>
    public HttpClient CreateClient(HttpMessageHandler? handler = null) =>
        new(new ContentLengthHandler(handler ?? new HttpClientHandler())) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

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

    private sealed class ContentLengthHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null && request.Headers.TransferEncodingChunked != true)
            {
                await request.Content.LoadIntoBufferAsync(cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
