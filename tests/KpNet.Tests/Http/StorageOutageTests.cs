using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Notifications;
using Microsoft.Extensions.Logging;

namespace KpNet.Tests.Http;

/// <summary>
/// Storage down or stalled: requests get a prompt 503 problem+json with Retry-After and one structured log line, the
/// readiness check names storage, liveness stays up. Each test stops or freezes an Azurite of its own.
/// </summary>
public sealed class StorageOutageTests : IAsyncLifetime
{
    // Longer than the readiness probe's 3 s, so readiness answers for itself before the request's deadline does.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private readonly CapturedLogs _logs = new();
    private AzuriteProcess _azurite = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.StartAsync();
        _app = await TestApp.StartAsync(
            _azurite.LeaseAccount(),
            configure: builder => builder.Logging.AddProvider(_logs.CreateProvider()),
            settings: new Dictionary<string, string> { ["Http:RequestTimeout"] = Deadline.ToString("c") });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private Task<HttpResponseMessage> LogInAsync() =>
        _app.Client.PostAsJsonAsync("/api/sessions", new { email = "someone@kpnet.example.jp", password = "Passw0rd-long" });

    private static async Task AssertServiceUnavailableAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.True(response.Headers.CacheControl?.NoStore, "a 503 is an API answer like any other: no-store");
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("ただいまサービスを一時的にご利用いただけません", problem.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task With_storage_stopped_a_request_gets_503_with_retry_after_and_one_log_line_and_readiness_names_storage()
    {
        Assert.Equal(HttpStatusCode.OK, (await _app.Client.GetAsync("/api/health/ready")).StatusCode);

        await _azurite.KillAsync();
        using var login = await LogInAsync();
        using var ready = await _app.Client.GetAsync("/api/health/ready");
        using var live = await _app.Client.GetAsync("/api/health");

        await AssertServiceUnavailableAsync(login);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("""{"status":"unavailable","failing":["storage"]}""", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var outage = Assert.Single(_logs.Entries, e => e.EventId.Name == "StorageUnavailable");
        Assert.Equal("/api/sessions", outage.Values["Route"]);
        // No stack per request: neither an unhandled exception in Kestrel's log nor our own defect line.
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error && (e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || e.EventId.Name == "RequestFailed"));
    }

    [Fact]
    public async Task With_storage_stalled_a_request_gets_503_at_its_deadline_and_works_again_once_storage_answers()
    {
        _azurite.Pause();
        using var stalled = await LogInAsync();
        using var notReady = await _app.Client.GetAsync("/api/health/ready");
        _azurite.Resume();
        using var afterwards = await LogInAsync();

        await AssertServiceUnavailableAsync(stalled);
        Assert.Equal("""{"status":"unavailable","failing":["storage"]}""", await notReady.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, afterwards.StatusCode);
        Assert.Contains(_logs.Entries, e => e.EventId.Name == "StorageUnavailable" && Equals(e.Values["Cause"], "RequestTimeout"));
    }
}
