using Azure;
using KpNet.Azure.Storage;

namespace KpNet.Http;

/// <summary>
/// A request that failed because storage could not be reached (down, throttled, timed out) is answered 503 problem+json
/// with Retry-After, logged as one <c>StorageUnavailable</c> event without a stack; nothing it did is half-visible, since
/// every feature orders its writes so that a retry completes them. Any other exception is a defect: 500 problem+json,
/// logged with its stack.
/// </summary>
public static partial class StorageOutages
{
    public const int RetryAfterSeconds = 5;

    public static IApplicationBuilder UseStorageOutageResponses(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                if (StorageFailure.IsTransient(e))
                {
                    await WriteUnavailableAsync(context, (e as RequestFailedException)?.ErrorCode ?? e.GetType().Name);
                    return;
                }

                LogUnhandled(Logger(context), e, context.Request.Method, RouteOf(context));
                context.Response.Clear();
                await Problems.Create(context, StatusCodes.Status500InternalServerError, MessageKey.InternalError).ExecuteAsync(context);
            }
        });

    public static async Task WriteUnavailableAsync(HttpContext context, string cause)
    {
        LogUnavailable(Logger(context), context.Request.Method, RouteOf(context), cause);
        context.Response.Clear();
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Problems.Create(context, StatusCodes.Status503ServiceUnavailable, MessageKey.ServiceUnavailable).ExecuteAsync(context);
    }

    // The route template, not the path: paths carry IDs and are not what an operator groups outages by.
    private static string RouteOf(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no endpoint)";

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StorageOutages));

    [LoggerMessage(EventId = 1400, EventName = "StorageUnavailable", Level = LogLevel.Warning, Message = "{Method} {Route} answered 503: storage unavailable ({Cause})")]
    private static partial void LogUnavailable(ILogger logger, string method, string route, string cause);

    [LoggerMessage(EventId = 1401, EventName = "RequestFailed", Level = LogLevel.Error, Message = "{Method} {Route} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string route);
}
