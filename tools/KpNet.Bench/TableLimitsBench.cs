using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using KpNet.Azure.Storage.Tables;
using KpNet.Telemetry;

namespace KpNet.Bench;

/// <summary>
/// table-limits: what <see cref="AzureTableLimits"/> costs per request on the telemetry hot path. The requests are the ones
/// the SDK writes (captured from its pipeline) for a rollup transaction (a full 5-minute row with 120 seqs, its hour and
/// its day row) and a status update; the guard checks each, one thread, in front of a pipeline end that does nothing.
/// </summary>
public static class TableLimitsBench
{
    private static readonly string[] RollupKeys = ["5m-202606011200", "1h-2026060112", "1d-20260601"];

    public static int Run(string[] args)
    {
        var rounds = int.Parse(BenchSupport.Option(args, "--rounds") ?? "20000", CultureInfo.InvariantCulture);
        var transaction = Capture(table => table.SubmitTransactionAsync(
            [.. RollupKeys.Select(key => new TableTransactionAction(TableTransactionActionType.UpsertReplace, RollupRow(key)))]));
        var status = Capture(table => table.UpdateEntityAsync(StatusRow(), new ETag("W/\"datetime'2026-06-01T12%3A00%3A00.0000000Z'\""), TableUpdateMode.Replace));
        Console.WriteLine($"table-limits: {rounds:N0} rounds, rollup transaction {transaction.Body.Length:N0} bytes, status update {status.Body.Length:N0} bytes");

        var guard = new AzureTableLimits();
        ReadOnlyMemory<HttpPipelinePolicy> end = new HttpPipelinePolicy[] { new PipelineEnd() };
        foreach (var (name, request) in new[] { ("rollup transaction", transaction), ("status update", status) })
        {
            var message = request.ToMessage();
            var m = Measurement.Run($"guard on a {name}", () =>
            {
                for (var i = 0; i < rounds; i++)
                {
                    guard.Process(message, end);
                }

                return rounds;
            });
            Console.WriteLine($"  {m.Name,-32} {m.NanosecondsPerItem / 1000,8:F1} µs/request (wall, median)  {1e6 / m.ItemsPerCpuSecond,8:F1} µs CPU/request  {m.BytesPerItem,8:N0} B/request");
        }

        return 0;
    }

    private static TableEntity RollupRow(string rowKey)
    {
        var row = new TableEntity("GW00009005PV", rowKey)
        {
            ["Events"] = 120,
            ["Buckets"] = 12,
            ["Seqs"] = string.Join(',', Enumerable.Range(0, 120).Select(i => $"1763700000:{9_000_000_000_000_000L + (i * 7)}")),
        };
        foreach (var (energy, flow, _) in KpNet.Telemetry.Measurement.Energies)
        {
            row[energy] = 1.234;
            row[flow.PositiveSumColumn!] = 123456.0;
            row[flow.NegativeSumColumn!] = 0.0;
            row[flow.SamplesColumn!] = 120;
            row[flow.AverageColumn!] = 1028.8;
        }

        return row;
    }

    private static TableEntity StatusRow() => new("GW00009005PV", "status")
    {
        ["Ts"] = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero),
        ["Boot"] = 1763700000L,
        ["Seq"] = 12345L,
        ["PvW"] = 3200.0,
        ["GridW"] = -1200.5,
        ["LoadW"] = 2000.0,
        ["BatterySoc"] = 80.0,
        ["BatteryW"] = 0.0,
        ["BatteryTempC"] = 25.5,
        ["EvConnected"] = true,
        ["EvSoc"] = 55.0,
        ["EvW"] = 0.0,
        ["Model"] = "GW-M001",
        ["Serial"] = "0009005",
        ["Fw"] = "1.2.3",
        ["FirstCommunicatedAt"] = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero),
        ["Units"] = "[" + string.Join(',', Enumerable.Range(1, 4).Select(u => $$"""{"no":{{u}},"model":"PCS-{{u}}","serial":"S{{u:D8}}","status":"normal","faults":[]}""")) + "]",
    };

    /// <summary>The request the SDK sends for <paramref name="call"/>, taken from its pipeline before it leaves.</summary>
    private static CapturedRequest Capture(Func<TableClient, Task> call)
    {
        var transport = new CapturingTransport();
        var options = new TableClientOptions { Transport = transport, Retry = { MaxRetries = 0 } };
        var table = new TableClient(new Uri("http://127.0.0.1:10002/devstoreaccount1/TelemetryRollups"), new AzureSasCredential("sv=x&sig=y"), options);
        try
        {
            call(table).GetAwaiter().GetResult();
        }
        catch (RequestFailedException)
        {
        }

        return transport.Captured ?? throw new InvalidOperationException("The SDK sent nothing.");
    }

    private sealed record CapturedRequest(RequestMethod Method, Uri Uri, byte[] Body)
    {
        public HttpMessage ToMessage()
        {
            var request = HttpClientTransport.Shared.CreateRequest();
            request.Method = Method;
            request.Uri.Reset(Uri);
            request.Content = RequestContent.Create(Body);
            return new HttpMessage(request, new ResponseClassifier());
        }
    }

    private sealed class CapturingTransport : HttpPipelineTransport
    {
        public CapturedRequest? Captured { get; private set; }

        public override Request CreateRequest() => HttpClientTransport.Shared.CreateRequest();

        public override void Process(HttpMessage message) => ProcessAsync(message).AsTask().GetAwaiter().GetResult();

        public override ValueTask ProcessAsync(HttpMessage message)
        {
            using var body = new MemoryStream();
            message.Request.Content?.WriteTo(body, CancellationToken.None);
            Captured = new CapturedRequest(message.Request.Method, message.Request.Uri.ToUri(), body.ToArray());
            throw new RequestFailedException("Captured, not sent.");
        }
    }

    private sealed class PipelineEnd : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => ValueTask.CompletedTask;
    }
}
