using KpNet.Configuration;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace KpNet.Http;

/// <summary>
/// Every HTTP request gets a deadline (setting <c>Http__RequestTimeout</c>, 10 s by default): past it the request's
/// cancellation token fires, storage calls stop, and the caller hears 503 with Retry-After instead of waiting for as long
/// as a stalled storage account takes. Triggers (the host's invocation endpoint, the local Event Hubs endpoint) have their
/// own budgets and opt out.
/// </summary>
public static class RequestDeadline
{
    /// <summary>Azure's front ends drop an HTTP request after 230 s whatever the app does; a longer deadline never fires.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(230);

    public static IServiceCollection AddRequestDeadline(this IServiceCollection services)
    {
        services.AddSettings<HttpOptions>(HttpOptions.Section, Problems);
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<HttpOptions>>((options, http) =>
            options.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = http.Value.RequestTimeout,
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                WriteTimeoutResponse = context => StorageOutages.WriteUnavailableAsync(context, "RequestTimeout"),
            });
        return services;
    }

    private static IEnumerable<string> Problems(HttpOptions options, HostingMode mode) =>
        options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > Longest
            ? [$"Setting {AppSettings.RequestTimeout.Name} must be between 00:00:00 and {Longest:c}, not {options.RequestTimeout:c}."]
            : [];
}

public sealed class HttpOptions
{
    public const string Section = "Http";

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
