using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KpNet.Configuration;
using KpNet.Inventory;
using KpNet.Telemetry;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Observability;

/// <summary>
/// The handler run as the Functions host runs it, exporting to an OTLP/HTTP receiver of the test's own: what an operator
/// gets to see of one HTTP request and one telemetry batch, and that no e-mail address is ever part of it.
/// </summary>
public sealed partial class ObservabilityExportTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string ServerKind = "2";

    // What the 4.x host sends with every invocation besides its {"Data","Metadata"} body. DefaultHttpWorkerService.AddHeaders
    // adds the invocation id, the host version and the user agent; the host's HttpClient adds the W3C traceparent of the
    // invocation's Activity, flagged 00 when the host itself records nothing (a custom handler's capture from a 4.24 host:
    // "traceparent: 00-bb2bd5eef54cb15a1506d0326d2489e7-d3f54c84c7034d76-00"). The body carries no trace context and no
    // invocation id: ToHttpScriptInvocationContext fills Metadata from the trigger's binding data plus "sys" {MethodName,
    // UtcNow, RandGuid}; only gRPC workers get a TraceContext (ToRpcInvocationRequest).
    private static readonly Dictionary<string, string> HostHeaders = new()
    {
        ["X-Azure-Functions-InvocationId"] = "83a33220-a921-460a-bec0-b3f043dcf1ff",
        ["X-Azure-Functions-HostVersion"] = "4.1044.400.1",
        ["User-Agent"] = "Azure-Functions-Host/4.1044.400.1",
        ["traceparent"] = "00-bb2bd5eef54cb15a1506d0326d2489e7-d3f54c84c7034d76-00",
    };

    [Fact]
    public async Task A_request_and_a_telemetry_batch_export_their_traces_down_to_storage_and_the_metrics_and_never_an_email_address()
    {
        var gatewayId = "OB" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..10];
        await using (var setup = await TestApp.StartHostedAsync(azurite.ConnectionString))
        {
            await setup.Services.GetRequiredService<GatewayInventory>().ImportAsync(
                [new InventoryRow(gatewayId, "abcdefghijk12", "GW-M001", "S" + gatewayId, ProductLine.MultiV2x)], CancellationToken.None);
        }

        await using var receiver = await OtlpReceiver.StartAsync();
        const string email = "observed.customer@example.jp";
        const string requestTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string requestParent = "00f067aa0ba902b7";
        using (var handler = await Handler.StartAsync(azurite.ConnectionString, receiver.Endpoint))
        {
            using var login = new HttpRequestMessage(HttpMethod.Post, "/api/sessions")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { email, password = "Wrong-Passw0rd" }), Encoding.UTF8, "application/json"),
            };
            login.Headers.Add("traceparent", $"00-{requestTrace}-{requestParent}-01");
            login.Headers.Add("Client-IP", "203.0.113.7:50123");
            Assert.Equal(HttpStatusCode.Unauthorized, (await handler.Client.SendAsync(login)).StatusCode);

            using var invocation = new HttpRequestMessage(HttpMethod.Post, "/" + TelemetryIngestFunction.Name)
            {
                Content = new StringContent(BatchPayload(gatewayId, DateTimeOffset.UtcNow), Encoding.UTF8, "application/json"),
            };
            foreach (var (name, value) in HostHeaders)
            {
                invocation.Headers.TryAddWithoutValidation(name, value);
            }

            Assert.Equal(HttpStatusCode.OK, (await handler.Client.SendAsync(invocation)).StatusCode);
            await handler.ShutDownAsync();
        }

        var spans = receiver.Spans();
        var request = Assert.Single(spans, s => s.TraceId == requestTrace && s.Kind.ToString(CultureInfo.InvariantCulture) == ServerKind);
        Assert.Equal("POST /api/sessions", request.Name);
        Assert.Equal(requestParent, request.ParentSpanId);
        Assert.Contains(spans, s => s.Scope.StartsWith("Azure.", StringComparison.Ordinal) && Descends(s, request, spans));

        var ingest = Assert.Single(spans, s => s.Name == TelemetryIngestFunction.Name);
        Assert.Equal("bb2bd5eef54cb15a1506d0326d2489e7", ingest.TraceId);
        Assert.Equal("d3f54c84c7034d76", ingest.ParentSpanId);
        Assert.Equal(ServerKind, ingest.Kind.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(HostHeaders["X-Azure-Functions-InvocationId"], ingest.Attributes["faas.invocation_id"]);
        Assert.Contains(spans, s => s.Scope.StartsWith("Azure.", StringComparison.Ordinal) && Descends(s, ingest, spans));
        Assert.DoesNotContain(spans, s => s.Name.Contains("{functionName}", StringComparison.Ordinal));

        Assert.Equal(
            ["dead_lettered/MalformedJson=1", "outcome=applied=2", "unknown_gateway=1"],
            receiver.Latest("kpnet.telemetry.events").Select(p => p.Attributes["outcome"] switch
            {
                "dead_lettered" => $"dead_lettered/{p.Attributes["reason"]}={p.Value}",
                "applied" => $"outcome=applied={p.Value}",
                var other => $"{other}={p.Value}",
            }).Order(StringComparer.Ordinal));
        var lag = Assert.Single(receiver.Latest("kpnet.telemetry.lag"));
        Assert.Equal(2UL, lag.Count);
        Assert.True(lag.Value >= 2 * 30, $"each applied event was enqueued 30 s before the batch came: lag sum {lag.Value} s");
        Assert.Equal(1UL, Assert.Single(receiver.Latest("kpnet.telemetry.batch.duration")).Count);
        var alert = Assert.Single(receiver.Latest("kpnet.alerts.changes"));
        Assert.Equal(("raised", "E101", 1.0), (alert.Attributes["change"], alert.Attributes["code"], alert.Value));
        var authFailure = Assert.Single(receiver.Latest("kpnet.auth.failures"));
        Assert.Equal(("login", "false", 1.0), (authFailure.Attributes["kind"], authFailure.Attributes["blocked"], authFailure.Value));

        var batchLog = Assert.Single(receiver.Logs(), l => l.Body.StartsWith("Telemetry batch", StringComparison.Ordinal));
        Assert.Equal(ingest.TraceId, batchLog.TraceId);

        // Keys travel percent-encoded in URLs, sometimes twice (a key holding "%40" escaped again in the path).
        var exported = receiver.AllText();
        for (var decoded = Uri.UnescapeDataString(exported); decoded != exported; decoded = Uri.UnescapeDataString(exported))
        {
            exported = decoded;
        }

        Assert.DoesNotContain(email, exported, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(EmailAddress().Matches(exported));
    }

    private static bool Descends(OtlpSpan span, OtlpSpan ancestor, IReadOnlyList<OtlpSpan> spans)
    {
        for (var current = span; current is not null; current = spans.FirstOrDefault(s => s.SpanId == current.ParentSpanId && s.TraceId == current.TraceId))
        {
            if (current.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A batch as the host delivers it: two events of the gateway (the newer reporting fault E101), one of a gateway not in
    /// the inventory and one that is not JSON, each enqueued 30 s ago.
    /// </summary>
    private static string BatchPayload(string gatewayId, DateTimeOffset now)
    {
        string Event(string id, int seq, string faults) => JsonSerializer.Serialize(
            $$"""{"v":1,"gatewayId":"{{id}}","seq":{{seq}},"ts":"{{now.AddSeconds(-40 + seq).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}}","pv":{"w":1200},"units":[{"no":1,"model":"KPV-A55-J4","serial":"U1","status":"run","faults":[{{faults}}]}]}""");
        var unknown = "OX" + gatewayId[2..];
        var events = $"[{Event(gatewayId, 1, "")},{Event(gatewayId, 2, "\"E101\"")},{Event(unknown, 1, "")},{JsonSerializer.Serialize("{not json")}]";
        var enqueued = JsonSerializer.Serialize(now.AddSeconds(-30).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture));
        return JsonSerializer.Serialize(new
        {
            Data = new { events = events },
            Metadata = new Dictionary<string, object>
            {
                ["PartitionContext"] = new { EventHubName = "telemetry", ConsumerGroup = "kpnet-functions", PartitionId = "0" },
                ["PartitionKeyArray"] = JsonSerializer.Serialize(new[] { gatewayId, gatewayId, unknown, gatewayId }),
                ["SequenceNumberArray"] = "[1,2,3,4]",
                ["EnqueuedTimeUtcArray"] = $"[{enqueued},{enqueued},{enqueued},{enqueued}]",
                ["sys"] = new { MethodName = TelemetryIngestFunction.Name, UtcNow = now.ToString("o", CultureInfo.InvariantCulture), RandGuid = Guid.NewGuid() },
            },
        });
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")]
    private static partial Regex EmailAddress();

    /// <summary>The built handler started as the host starts it, exporting over OTLP/HTTP to <c>endpoint</c>.</summary>
    private sealed class Handler : IDisposable
    {
        private readonly Process _process;

        private Handler(Process process, int port)
        {
            _process = process;
            Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        }

        public HttpClient Client { get; }

        public static async Task<Handler> StartAsync(string storage, Uri endpoint)
        {
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "KpNet.Handler"))
            {
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardOutput = true,
            };
            start.Environment[HostingMode.CustomHandlerPortVariable] = port.ToString(CultureInfo.InvariantCulture);
            start.Environment[AppSettings.Storage.Name] = storage;
            foreach (var (name, value) in TelemetryAccounts.Settings(storage, AzuriteProcess.TelemetryShards, separator: "__"))
            {
                start.Environment[name] = value;
            }
            DeployedSettings.SetIn(start.Environment);
            start.Environment[AppSettings.OtlpEndpoint.Name] = endpoint.ToString();
            start.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            start.Environment.Remove(AppSettings.ApplicationInsights.Name);
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            var handler = new Handler(process, port);
            try
            {
                await Eventually.ReturnsAsync(handler.HealthyAsync, healthy => healthy, TimeSpan.FromSeconds(30), "the handler to answer");
                return handler;
            }
            catch
            {
                handler.Dispose();
                throw;
            }
        }

        /// <summary>As the platform stops an instance (SIGTERM): the exporters flush what they hold before the process ends.</summary>
        public async Task ShutDownAsync()
        {
            ProcessSignals.Send(_process, ProcessSignals.Terminate);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }

        public void Dispose()
        {
            Client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        private async Task<bool> HealthyAsync()
        {
            try
            {
                return (await Client.GetAsync("/api/health")).IsSuccessStatusCode;
            }
            catch (HttpRequestException) when (!_process.HasExited)
            {
                return false;
            }
        }
    }
}
