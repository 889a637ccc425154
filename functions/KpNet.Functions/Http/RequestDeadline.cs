using KpNet.Hosting;
using Microsoft.AspNetCore.Http.Timeouts;

namespace KpNet.Http;

/// <summary>
/// Every HTTP request gets a deadline (setting <c>Http__RequestTimeout</c>, 10 s by default): past it the request's
/// cancellation token fires, storage calls stop, and the caller hears 503 with Retry-After instead of waiting for as long
/// as a stalled storage account takes. Triggers (the host's invocation endpoint, the local Event Hubs endpoint) have their
/// own budgets and opt out.
/// </summary>
public static class RequestDeadline
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    public static IServiceCollection AddRequestDeadline(this IServiceCollection services, IConfiguration configuration)
    {
        var timeout = configuration.GetValue<TimeSpan?>(AppSettings.RequestTimeout.Key) ?? Default;
        return services.AddRequestTimeouts(options => options.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = timeout,
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
            WriteTimeoutResponse = context => StorageOutages.WriteUnavailableAsync(context, "RequestTimeout"),
        });
    }
}
