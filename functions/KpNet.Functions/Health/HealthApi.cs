using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KpNet.Health;

/// <summary>
/// <c>/api/health</c>: the process answers (liveness, costs nothing). <c>/api/health/ready</c>: it can serve, i.e.
/// storage answers within <see cref="ProbeTimeout"/>; 503 naming the failing dependency otherwise.
/// </summary>
public static partial class HealthApi
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public sealed record HealthStatus(string Status);

    public sealed record Readiness(string Status, IReadOnlyList<string> Failing);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", () => TypedResults.Ok(new HealthStatus("ok"))).WithName("Health");
        app.MapGet("/api/health/ready", ReadyAsync).WithName("HealthReady");
        return app;
    }

    private static async Task<Results<Ok<Readiness>, JsonHttpResult<Readiness>>> ReadyAsync(
        HttpContext context, StorageAccount storage, ILogger<Readiness> logger, CancellationToken cancellationToken)
    {
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(ProbeTimeout);
        try
        {
            // A point read of a row that need not exist: 404 is an answer, so storage is reachable and authorised.
            await storage.GetTableClient(StorageProbeTable).GetEntityIfExistsAsync<TableEntity>("health", "probe", cancellationToken: probe.Token);
            return TypedResults.Ok(new Readiness("ready", []));
        }
        catch (Exception e) when (StorageFailure.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            LogNotReady(logger, "storage", e.GetType().Name);
            context.Response.Headers.RetryAfter = Http.StorageOutages.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Json(new Readiness("unavailable", ["storage"]), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>Any table the app creates will do; this one is read on every registration anyway.</summary>
    private const string StorageProbeTable = Inventory.GatewayInventory.TableName;

    [LoggerMessage(EventId = 1410, EventName = "NotReady", Level = LogLevel.Warning, Message = "Readiness check failed: {Dependency} ({Cause})")]
    private static partial void LogNotReady(ILogger logger, string dependency, string cause);
}
