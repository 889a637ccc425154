using System.Net;

namespace KpNet.Http;

/// <summary>The caller's IP address, for per-client throttles.</summary>
public static class ClientAddress
{
    /// <summary>
    /// Answers 400 before any endpoint runs when the forwarded client address is not an IP address: it would become a
    /// throttle key (a table key, 1 KiB at most), and no front end sends one.
    /// </summary>
    public static IApplicationBuilder UseClientAddressCheck(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (Resolve(context) is null)
            {
                await Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.ClientAddressInvalid).ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    public static string Of(HttpContext context) =>
        Resolve(context) ?? throw new InvalidOperationException($"{nameof(UseClientAddressCheck)} refuses requests without a usable client address.");

    /// <summary>
    /// Under the Functions host every request arrives from the host on loopback; the front end appends the real client
    /// to X-Forwarded-For, so its last entry (the one a client cannot forge) is used, and null when it is not an IP address
    /// (with or without a port). Direct callers are used as they are.
    /// </summary>
    private static string? Resolve(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || IPAddress.IsLoopback(remote))
        {
            var forwarded = context.Request.Headers["X-Forwarded-For"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (forwarded.Length > 0)
            {
                var last = forwarded[^1];
                return IPAddress.TryParse(last, out var address) ? address.ToString()
                    : IPEndPoint.TryParse(last, out var endpoint) ? endpoint.Address.ToString()
                    : null;
            }
        }

        return remote?.ToString() ?? "unknown";
    }
}
