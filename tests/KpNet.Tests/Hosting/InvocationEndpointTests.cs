using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KpNet.Tests.Hosting;

/// <summary>The app as the Functions host runs it: invocations posted to /{FunctionName}, HTTP forwarded as is.</summary>
public sealed class InvocationEndpointTests : IAsyncLifetime
{
    private readonly Recorder _recorder = new();
    private readonly CapturedLogs _logs = new();
    private TestApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync("UseDevelopmentStorage=true", underFunctionsHost: true, configure: builder =>
        {
            builder.Logging.AddProvider(_logs.CreateProvider());
            builder.Services.AddSingleton(_recorder);
            builder.Services.AddQueueFunction<RecordingQueueFunction>("TestQueue", "test-queue");
            builder.Services.AddQueueFunction<UnbuildableQueueFunction>("TestUnbuildable", "test-unbuildable");
        });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<HttpResponseMessage> InvokeAsync(string function, string json, string? invocationId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/" + function) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (invocationId is not null)
        {
            request.Headers.Add("X-Azure-Functions-InvocationId", invocationId);
        }

        return _app.Client.SendAsync(request);
    }

    private IEnumerable<CapturedLogs.Entry> FailureLogs() => _logs.Entries.Where(e => e.EventId.Name == "InvocationFailed");

    [Fact]
    public async Task Health_answers_ok()
    {
        var response = await _app.Client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_queue_invocation_reaches_its_handler_and_answers_the_host_with_outputs_and_logs()
    {
        var response = await InvokeAsync("TestQueue", """{"Data":{"message":"\"お知らせ\""},"Metadata":{"DequeueCount":"1","Id":"\"m-1\""}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, body.RootElement.GetProperty("Logs").ValueKind);
        var message = Assert.IsType<QueueTriggerInput>(Assert.Single(_recorder.Inputs));
        Assert.Equal("お知らせ", message.Text);
        Assert.Equal("m-1", message.MessageId);
    }

    [Fact]
    public async Task A_failing_handler_answers_500_so_the_host_retries()
    {
        _recorder.FailNext(1);

        var response = await InvokeAsync("TestQueue", """{"Data":{"message":"\"x\""},"Metadata":{}}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("TestQueue failed", body.RootElement.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_handler_logs_its_function_invocation_id_and_reason_since_the_host_drops_the_failed_answers_logs()
    {
        _recorder.FailNext(1);

        await InvokeAsync("TestQueue", """{"Data":{"message":"\"x\""},"Metadata":{}}""", "inv-failing-1");

        var failure = Assert.Single(FailureLogs());
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.Equal("TestQueue", failure.Values["FunctionName"]);
        Assert.Equal("inv-failing-1", failure.Values["InvocationId"]);
        Assert.Equal("System.InvalidOperationException", failure.Values["ExceptionType"]);
        Assert.Equal("Failing as the test asked.", failure.Values["Reason"]);
        Assert.Equal("Function TestQueue invocation inv-failing-1 failed: System.InvalidOperationException: Failing as the test asked.", failure.Message);
    }

    [Fact]
    public async Task A_succeeding_handler_logs_no_failure()
    {
        var response = await InvokeAsync("TestQueue", """{"Data":{"message":"\"x\""},"Metadata":{}}""", "inv-ok-1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_handler_that_cannot_be_built_fails_the_invocation_with_its_reason()
    {
        var response = await InvokeAsync("TestUnbuildable", """{"Data":{"message":"\"x\""},"Metadata":{}}""", "inv-unbuildable-1");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var failure = Assert.Single(FailureLogs());
        Assert.Equal("TestUnbuildable", failure.Values["FunctionName"]);
        Assert.Equal("inv-unbuildable-1", failure.Values["InvocationId"]);
        Assert.Equal(UnbuildableQueueFunction.MissingSettingMessage, failure.Values["Reason"]);
    }

    [Fact]
    public async Task A_malformed_payload_gets_400_problem_json_and_no_handler_runs()
    {
        var response = await InvokeAsync("TestQueue", "{\"Data\":");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("JSON", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _recorder.Calls);
    }

    [Fact]
    public async Task An_unknown_function_gets_404_problem_json_in_japanese_or_english_on_request()
    {
        var response = await InvokeAsync("NoSuchFunction", "{}");
        using var english = new HttpRequestMessage(HttpMethod.Post, "/NoSuchFunction") { Content = new StringContent("{}") };
        english.Headers.AcceptLanguage.ParseAdd("en");
        var englishResponse = await _app.Client.SendAsync(english);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("関数「NoSuchFunction」は存在しません。", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal("There is no function named 'NoSuchFunction'.", (await englishResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Under_the_host_the_local_only_endpoints_do_not_exist()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Client.GetAsync("/api/dev/mail")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Client.PostAsync("/telemetry/messages", new StringContent("{}"))).StatusCode);
    }
}
