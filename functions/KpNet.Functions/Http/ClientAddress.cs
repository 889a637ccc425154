using System.Net;

namespace KpNet.Http;

/// <summary>The caller's IP address, for per-client throttles.</summary>
public static class ClientAddress
{
    /// <summary>
    /// Under the Functions host every request arrives from the host on loopback; the front end appends the real client
    /// to X-Forwarded-For, so its last entry (the one a client cannot forge) is used. Direct callers are used as they are.
    /// </summary>
    public static string Of(HttpContext context)
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
                    : last;
            }
        }

        return remote?.ToString() ?? "unknown";
    }
}
