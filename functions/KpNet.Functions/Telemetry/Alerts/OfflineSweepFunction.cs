using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;

namespace KpNet.Telemetry.Alerts;

/// <summary>
/// Every 5 minutes: gateways whose last-seen bucket ended at least <see cref="AlertRules.OfflineAfter"/> ago get an
/// offline alert (so one is raised 30–40 minutes into the silence); their index rows are then removed, so each silent
/// gateway is handled once and the sweep never reads gateways that are talking. Their next event clears the alert.
/// </summary>
public sealed partial class OfflineSweepFunction(GatewayLastSeen lastSeen, AlertEngine alerts, TimeProvider time, ILogger<OfflineSweepFunction> logger) : ITimerFunction
{
    public const string Name = "OfflineSweep";
    public const string Schedule = "0 */5 * * * *";

    private const int MaxConcurrentGateways = 16;
    private const int ChunkSize = 1000;

    public async Task RunAsync(TimerInput timer, CancellationToken cancellationToken)
    {
        var silentSince = time.GetUtcNow() - AlertRules.OfflineAfter;
        var examined = 0;
        var raised = 0;
        var chunk = new List<(string Bucket, string GatewayId)>(ChunkSize);
        await foreach (var row in lastSeen.SilentSinceAsync(silentSince, cancellationToken))
        {
            chunk.Add(row);
            if (chunk.Count == ChunkSize)
            {
                raised += await HandleAsync(chunk, cancellationToken);
                examined += chunk.Count;
                chunk.Clear();
            }
        }

        raised += await HandleAsync(chunk, cancellationToken);
        examined += chunk.Count;
        LogSwept(examined, raised);
    }

    /// <summary>Raises what is due and removes the handled index rows; a mass outage is worked through a chunk at a time.</summary>
    private async Task<int> HandleAsync(List<(string Bucket, string GatewayId)> rows, CancellationToken cancellationToken)
    {
        var raised = 0;
        await Parallel.ForEachAsync(
            rows,
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentGateways, CancellationToken = cancellationToken },
            async (row, ct) =>
            {
                Interlocked.Add(ref raised, await alerts.RaiseOfflineAsync(row.GatewayId, row.Bucket, ct));
                await lastSeen.RemoveAsync(row.Bucket, row.GatewayId, ct);
            });
        return raised;
    }

    [LoggerMessage(EventId = 7110, EventName = "OfflineSweepDone", Level = LogLevel.Information, Message = "Offline sweep: {SilentGateways} silent gateways examined, {Raised} offline alerts raised")]
    private partial void LogSwept(int silentGateways, int raised);
}
