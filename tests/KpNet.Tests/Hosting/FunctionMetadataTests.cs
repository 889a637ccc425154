using System.Text.Json;
using System.Text.RegularExpressions;
using KpNet.Hosting.Functions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Hosting;

public sealed class FunctionMetadataTests : IDisposable
{
    private readonly string _appRoot = Path.Combine(Path.GetTempPath(), "kpnet-metadata-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_appRoot))
        {
            Directory.Delete(_appRoot, recursive: true);
        }
    }

    // Under the host the app sends mail through ACS, so resolving every handler needs its settings.
    private static readonly string[] AzureSettings =
    [
        "--Email:SenderAddress=no-reply@kpnet.example.jp",
        "--Email:ConnectionString=endpoint=https://kpnet.communication.azure.com/;accesskey=a2V5",
    ];

    private static JsonElement Binding(JsonDocument function, int index) => function.RootElement.GetProperty("bindings")[index];

    [Fact]
    public async Task Every_api_endpoint_and_every_trigger_handler_has_exactly_one_function_json_and_nothing_else_does()
    {
        await using var app = KpNetApp.Create(AzureSettings, emittingMetadata: true);
        FunctionMetadataWriter.Write(FunctionCatalog.Of(app), _appRoot);

        var apiEndpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        var handlers = app.Services.GetServices<FunctionDefinition>().ToList();
        var folders = Directory.GetDirectories(_appRoot).Select(Path.GetFileName).Order().ToList();

        Assert.Equal(apiEndpoints.Count + handlers.Count, folders.Count);
        foreach (var endpoint in apiEndpoints)
        {
            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName;
            using var function = JsonDocument.Parse(File.ReadAllText(Path.Combine(_appRoot, name, "function.json")));
            var trigger = Binding(function, 0);
            Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
            // Routing ignores a trailing slash, and so does the function route.
            Assert.Equal(endpoint.RoutePattern.RawText!["/api/".Length..].TrimEnd('/'), trigger.GetProperty("route").GetString());
            Assert.Equal(
                endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => m.ToLowerInvariant()),
                trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
            Assert.Equal("http", Binding(function, 1).GetProperty("type").GetString());
        }

        foreach (var handler in handlers)
        {
            using var function = JsonDocument.Parse(File.ReadAllText(Path.Combine(_appRoot, handler.Name, "function.json")));
            var (type, shape) = handler.Trigger switch
            {
                QueueTrigger => ("queueTrigger", typeof(IQueueFunction)),
                EventHubTrigger => ("eventHubTrigger", typeof(IEventHubFunction)),
                _ => ("timerTrigger", typeof(ITimerFunction)),
            };
            Assert.Equal(type, Binding(function, 0).GetProperty("type").GetString());
            Assert.True(shape.IsAssignableFrom(handler.HandlerType), $"{handler.Name}'s handler is not an {shape.Name}");
            using var scope = app.Services.CreateScope();
            Assert.NotNull(scope.ServiceProvider.GetRequiredService(handler.HandlerType));
        }
    }

    [Fact]
    public async Task No_published_http_function_has_a_route_the_host_reserves_or_shares_a_route_and_method_with_another()
    {
        await using var app = KpNetApp.Create(AzureSettings, emittingMetadata: true);
        FunctionMetadataWriter.Write(FunctionCatalog.Of(app), _appRoot);

        var httpTriggers = new List<(string Function, string Route, string[] Methods)>();
        foreach (var folder in Directory.GetDirectories(_appRoot))
        {
            using var function = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "function.json")));
            var trigger = Binding(function, 0);
            if (trigger.GetProperty("type").GetString() == "httpTrigger")
            {
                httpTriggers.Add((Path.GetFileName(folder), trigger.GetProperty("route").GetString()!,
                    trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToArray()));
            }
        }

        Assert.NotEmpty(httpTriggers);
        Assert.DoesNotContain(httpTriggers, t =>
            t.Route.StartsWith("admin", StringComparison.OrdinalIgnoreCase) || t.Route.StartsWith("runtime", StringComparison.OrdinalIgnoreCase));
        var shared = httpTriggers
            .SelectMany(t => t.Methods.Select(method => (t.Function, MethodAndRoute: method.ToUpperInvariant() + " " + Regex.Replace(t.Route, @"\{[^}]*\}", "{}").ToUpperInvariant())))
            .GroupBy(t => t.MethodAndRoute).Where(g => g.Count() > 1)
            .Select(g => g.Key + ": " + string.Join(", ", g.Select(t => t.Function)));
        Assert.Empty(shared);
    }

    [Theory]
    [InlineData("admin/x")]
    [InlineData("Admin/x")]
    [InlineData("RUNTIME/y")]
    [InlineData("administrators")]
    [InlineData("runtimes/z")]
    public async Task A_route_starting_with_admin_or_runtime_in_any_case_is_refused_as_the_host_would_skip_it(string route)
    {
        await using var app = KpNetApp.Create([], emittingMetadata: true);
        app.MapGet("/api/" + route, () => "x").WithName("Reserved");

        var error = Assert.Throws<InvalidOperationException>(() => FunctionMetadataWriter.Write(FunctionCatalog.Of(app), _appRoot));
        Assert.Contains($"'{route}'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_appRoot));
    }

    [Fact]
    public async Task A_route_with_admin_or_runtime_after_its_first_characters_is_published()
    {
        await using var app = KpNetApp.Create([], emittingMetadata: true);
        app.MapGet("/api/test/admin", () => "x").WithName("TestAdmin");
        app.MapGet("/api/test-runtime", () => "x").WithName("TestRuntime");

        var routes = FunctionCatalog.Of(app).HttpFunctions().Select(f => f.Route).ToList();

        Assert.Contains("test/admin", routes);
        Assert.Contains("test-runtime", routes);
    }

    [Theory]
    [InlineData("/api/test-items/{id}", "/api/test-items/{id}")]
    [InlineData("/api/test-items/{id}", "/api/Test-Items/{itemId}")]
    [InlineData("/api/test-items", "/api/TEST-ITEMS")]
    public async Task Two_functions_answering_one_method_on_the_same_route_are_refused(string route, string sameRoute)
    {
        await using var app = KpNetApp.Create([], emittingMetadata: true);
        app.MapGet(route, () => "x").WithName("TestGetItem");
        app.MapMethods(sameRoute, ["PUT", "GET"], () => "x").WithName("TestPutOrGetItem");

        var error = Assert.Throws<InvalidOperationException>(() => FunctionMetadataWriter.Write(FunctionCatalog.Of(app), _appRoot));
        Assert.Contains("'TestGetItem'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'TestPutOrGetItem'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_appRoot));
    }

    [Fact]
    public async Task Two_functions_on_the_same_route_with_different_methods_are_both_published()
    {
        await using var app = KpNetApp.Create([], emittingMetadata: true);
        app.MapGet("/api/test-items/{id}", () => "x").WithName("TestGetItem");
        app.MapMethods("/api/Test-Items/{itemId}", ["PUT", "DELETE"], () => "x").WithName("TestChangeItem");

        var functions = FunctionCatalog.Of(app).HttpFunctions();

        Assert.Equal(["get"], functions.Single(f => f.Name == "TestGetItem").Methods);
        Assert.Equal(["put", "delete"], functions.Single(f => f.Name == "TestChangeItem").Methods);
    }

    [Fact]
    public void The_health_endpoint_is_an_anonymous_get_function_routed_under_the_api_prefix()
    {
        var app = KpNetApp.Create([], emittingMetadata: true);
        FunctionMetadataWriter.Write(FunctionCatalog.Of(app), _appRoot);

        using var function = JsonDocument.Parse(File.ReadAllText(Path.Combine(_appRoot, "Health", "function.json")));
        var trigger = Binding(function, 0);
        Assert.Equal("health", trigger.GetProperty("route").GetString());
        Assert.Equal("anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public void Local_only_endpoints_are_not_published()
    {
        var app = KpNetApp.Create([], emittingMetadata: true);
        FunctionMetadataWriter.Write(FunctionCatalog.Of(app), _appRoot);

        Assert.False(Directory.Exists(Path.Combine(_appRoot, "DevMail")));
    }

    [Fact]
    public void Queue_event_hub_and_timer_triggers_are_written_with_their_settings_and_the_event_hub_retry_policy()
    {
        var app = KpNetApp.Create([], emittingMetadata: true, configureServices: builder =>
        {
            builder.Services.AddSingleton(new Recorder());
            builder.Services.AddQueueFunction<RecordingQueueFunction>("TestQueue", "test-queue");
            builder.Services.AddEventHubFunction<RecordingEventHubFunction>("TestEvents", "telemetry", "TelemetryEventHub",
                new RetryPolicy(5, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)));
            builder.Services.AddTimerFunction<RecordingTimerFunction>("TestTimer", "0 */5 * * * *");
        });
        FunctionMetadataWriter.Write(FunctionCatalog.Of(app), _appRoot);

        using var queue = JsonDocument.Parse(File.ReadAllText(Path.Combine(_appRoot, "TestQueue", "function.json")));
        Assert.Equal("test-queue", Binding(queue, 0).GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", Binding(queue, 0).GetProperty("connection").GetString());

        using var events = JsonDocument.Parse(File.ReadAllText(Path.Combine(_appRoot, "TestEvents", "function.json")));
        Assert.Equal("many", Binding(events, 0).GetProperty("cardinality").GetString());
        Assert.Equal("telemetry", Binding(events, 0).GetProperty("eventHubName").GetString());
        Assert.Equal("TelemetryEventHub", Binding(events, 0).GetProperty("connection").GetString());
        var retry = events.RootElement.GetProperty("retry");
        Assert.Equal("exponentialBackoff", retry.GetProperty("strategy").GetString());
        Assert.Equal(5, retry.GetProperty("maxRetryCount").GetInt32());
        Assert.Equal("00:00:02", retry.GetProperty("minimumInterval").GetString());

        using var timer = JsonDocument.Parse(File.ReadAllText(Path.Combine(_appRoot, "TestTimer", "function.json")));
        Assert.Equal("0 */5 * * * *", Binding(timer, 0).GetProperty("schedule").GetString());
    }

    [Fact]
    public void An_endpoint_without_a_name_cannot_be_published()
    {
        var app = KpNetApp.Create([], emittingMetadata: true);
        app.MapGet("/api/unnamed", () => "x");

        var error = Assert.Throws<InvalidOperationException>(() => FunctionMetadataWriter.Write(FunctionCatalog.Of(app), _appRoot));
        Assert.Contains("api/unnamed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timer_whose_schedule_the_host_cannot_parse_cannot_be_published()
    {
        var app = KpNetApp.Create([], emittingMetadata: true, configureServices: builder =>
            builder.Services.AddTimerFunction<RecordingTimerFunction>("FiveFieldTimer", "*/5 * * * *"));

        var error = Assert.Throws<InvalidOperationException>(() => FunctionMetadataWriter.Write(FunctionCatalog.Of(app), _appRoot));
        Assert.Contains("FiveFieldTimer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timer_whose_schedule_is_an_app_setting_is_published_as_the_setting()
    {
        var app = KpNetApp.Create([], emittingMetadata: true, configureServices: builder =>
            builder.Services.AddTimerFunction<RecordingTimerFunction>("SettingTimer", "%SettingTimerSchedule%"));

        FunctionMetadataWriter.Write(FunctionCatalog.Of(app), _appRoot);

        using var timer = JsonDocument.Parse(File.ReadAllText(Path.Combine(_appRoot, "SettingTimer", "function.json")));
        Assert.Equal("%SettingTimerSchedule%", Binding(timer, 0).GetProperty("schedule").GetString());
    }

    [Fact]
    public void Two_functions_with_one_name_cannot_be_published()
    {
        var app = KpNetApp.Create([], emittingMetadata: true, configureServices: builder =>
            builder.Services.AddTimerFunction<RecordingTimerFunction>("Health", "0 * * * * *"));

        Assert.Throws<InvalidOperationException>(() => FunctionMetadataWriter.Write(FunctionCatalog.Of(app), _appRoot));
    }
}
