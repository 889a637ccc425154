using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using KpNet.Configuration;
using KpNet.Notifications;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Publishing;

/// <summary>The deployable folder works the way the Functions host uses it.</summary>
public sealed class PublishedAppTests(PublishedApp published) : IClassFixture<PublishedApp>
{
    private const string HandlerExecutable = "KpNet.Handler";

    [Fact]
    public void The_package_holds_host_json_the_self_contained_handler_and_a_function_json_per_function()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(published.Folder, "host.json")));
        var handler = hostJson.RootElement.GetProperty("customHandler");
        var executable = handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString()!;

        Assert.Equal("2.0", hostJson.RootElement.GetProperty("version").GetString());
        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.True(File.Exists(Path.Combine(published.Folder, executable)), $"{executable} is not in the package");
        Assert.True(File.Exists(Path.Combine(published.Folder, "libcoreclr.so")), "the handler is not self-contained");
        Assert.True(File.Exists(Path.Combine(published.Folder, "Health", "function.json")));
        Assert.True(File.Exists(Path.Combine(published.Folder, "SendEmail", "function.json")));

        using var zip = ZipFile.OpenRead(published.Package);
        var entries = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToHashSet();
        Assert.Contains("host.json", entries);
        Assert.Contains(executable, entries);
        Assert.Contains("Health/function.json", entries);
        Assert.Contains("SendEmail/function.json", entries);
    }

    [Fact]
    public void The_handler_keeps_its_execute_bit_in_the_package()
    {
        // Flex Consumption mounts the package and runs the handler from it as it is: without the owner's execute bit in the
        // entry's Unix mode (the high 16 bits of its external attributes) the host cannot start it.
        using var zip = ZipFile.OpenRead(published.Package);
        var handler = zip.GetEntry(HandlerExecutable);

        Assert.NotNull(handler);
        Assert.True(((UnixFileMode)(handler.ExternalAttributes >> 16)).HasFlag(UnixFileMode.UserExecute), $"{HandlerExecutable} has no execute bit in the zip");
    }

    [Fact]
    public async Task Started_as_the_host_starts_it_the_handler_listens_on_the_given_port_and_serves_health()
    {
        await using var handler = await RunningHandler.StartAsync(published.Folder);

        var health = await handler.Client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await health.Content.ReadAsStringAsync());
        var invocation = await handler.Client.PostAsync("/NoSuchFunction", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, invocation.StatusCode);
        await Eventually.ReturnsAsync(() => Task.FromResult(handler.StandardOutput()), lines => lines.Any(l => l.Contains("\"EventId\"", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "a JSON log line");
    }

    [Fact]
    public async Task A_failed_invocation_writes_a_json_line_to_stdout_naming_the_function_the_invocation_and_the_reason()
    {
        // The host reads Logs only from a successful answer (DefaultHttpWorkerService: EnsureSuccessStatusCode first) and logs
        // every line the handler writes to stdout (WorkerProcess.OnOutputDataReceived), so this line is how its log learns why.
        const string invocationId = "5f0c9a4e-3b2d-4c1e-8f7a-6b5c4d3e2f1a";
        // A storage account that refuses every connection is what an outage looks like to SendEmail.
        await using var handler = await RunningHandler.StartAsync(published.Folder, storage: UnreachableStorage());
        var mail = JsonSerializer.Serialize(JsonSerializer.Serialize(new { id = invocationId, to = "hanako@example.jp", subject = "件名", text = "本文", html = (string?)null, kind = "test" }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/" + SendEmailFunction.Name)
        {
            Content = new StringContent($$$"""{"Data":{"message":{{{mail}}}},"Metadata":{"DequeueCount":"1"}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Azure-Functions-InvocationId", invocationId);

        var response = await handler.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var lines = await Eventually.ReturnsAsync(
            () => Task.FromResult(handler.StandardOutput().Where(l => l.Contains(invocationId, StringComparison.Ordinal)).ToList()),
            found => found.Count > 0,
            TimeSpan.FromSeconds(10),
            "the failure's line on stdout");
        using var line = JsonDocument.Parse(Assert.Single(lines));
        var fields = line.RootElement.GetProperty("State");
        Assert.Equal("Error", line.RootElement.GetProperty("LogLevel").GetString());
        Assert.InRange(
            DateTimeOffset.Parse(line.RootElement.GetProperty("Timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(SendEmailFunction.Name, fields.GetProperty("FunctionName").GetString());
        Assert.Equal(invocationId, fields.GetProperty("InvocationId").GetString());
        Assert.Equal("System.AggregateException", fields.GetProperty("ExceptionType").GetString());
        Assert.Contains("Connection refused", fields.GetProperty("Reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Started_without_a_setting_a_deployment_needs_the_handler_exits_at_once_with_a_line_naming_it()
    {
        // The host keeps what the handler writes: an app without Email__SenderAddress says so at start, not at its first mail.
        using var handler = Process.Start(RunningHandler.StartInfo(published.Folder, FreeTcpPort.Next(), without: AppSettings.EmailSenderAddress))!;
        var errors = handler.StandardError.ReadToEndAsync();
        var output = handler.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await handler.WaitForExitAsync(timeout.Token);
        await output;

        Assert.Equal(1, handler.ExitCode);
        Assert.StartsWith("KP-NET cannot start: Setting Email__SenderAddress is missing", await errors, StringComparison.Ordinal);
    }

    private static string UnreachableStorage()
    {
        var closed = $"http://127.0.0.1:{FreeTcpPort.Next()}/devstoreaccount1";
        return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteProcess.AccountKey};TableEndpoint={closed};QueueEndpoint={closed};BlobEndpoint={closed}";
    }

    /// <summary>The published handler started as the host starts it (FUNCTIONS_CUSTOMHANDLER_PORT set), listening, its stdout kept.</summary>
    private sealed class RunningHandler : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _standardOutput = [];

        private RunningHandler(Process process, int port)
        {
            _process = process;
            Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_standardOutput)
                    {
                        _standardOutput.Add(e.Data);
                    }
                }
            };
            process.BeginOutputReadLine();

            // Drained so a chatty handler never blocks on a full pipe.
            process.BeginErrorReadLine();
        }

        public HttpClient Client { get; }

        public static async Task<RunningHandler> StartAsync(string folder, string storage = "UseDevelopmentStorage=true")
        {
            var port = FreeTcpPort.Next();
            var start = StartInfo(folder, port);
            start.Environment["AzureWebJobsStorage"] = storage;
            var handler = new RunningHandler(Process.Start(start)!, port);
            try
            {
                await Eventually.ReturnsAsync(handler.RespondsAsync, responds => responds, TimeSpan.FromSeconds(30), "the handler to listen");
                return handler;
            }
            catch
            {
                await handler.DisposeAsync();
                throw;
            }
        }

        /// <summary>The environment of a deployment (as the Bicep sets it), with local storage; <paramref name="without"/> left out.</summary>
        public static ProcessStartInfo StartInfo(string folder, int port, AppSetting? without = null)
        {
            var start = new ProcessStartInfo(Path.Combine(folder, HandlerExecutable))
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
            start.Environment["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
            DeployedSettings.SetIn(start.Environment, without);
            return start;
        }

        public IReadOnlyList<string> StandardOutput()
        {
            lock (_standardOutput)
            {
                return [.. _standardOutput];
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        // Like the host's readiness check: any answer means the handler listens.
        private async Task<bool> RespondsAsync()
        {
            try
            {
                (await Client.GetAsync("/")).Dispose();
                return true;
            }
            catch (HttpRequestException) when (!_process.HasExited)
            {
                return false;
            }
        }
    }
}
