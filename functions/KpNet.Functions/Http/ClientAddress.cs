using System.Net;
using System.Net.Sockets;
using KpNet.Configuration;

namespace KpNet.Http;

/// <summary>The caller's IP address, for per-client limits.</summary>
public static class ClientAddress
{
    /// <summary>
    /// Set by App Service's front end (which Flex Consumption function apps sit behind) to the address and port of the
    /// connection it accepted, overwriting any value the caller sent (README, Security). X-Forwarded-For is not used: its
    /// entries before the front end's own are whatever the caller wrote.
    /// </summary>
    public const string FrontEndHeader = "Client-IP";

    /// <summary>
    /// Under the Functions host every request arrives from the host on loopback, so the front end's header names the client;
    /// locally the socket does, and forwarding headers are ignored (anyone can send them).
    /// </summary>
    public static string Of(HttpContext context)
    {
        if (context.RequestServices.GetRequiredService<HostingMode>().UnderFunctionsHost
            && Parse(context.Request.Headers[FrontEndHeader].ToString()) is { } frontEndClient)
        {
            return frontEndClient;
        }

        return context.Connection.RemoteIpAddress is { } remote ? Normalize(remote) : "unknown";
    }

    /// <summary>"address:port", "[v6]:port" or a bare address; null when it is none of them.</summary>
    public static string? Parse(string header) =>
        IPEndPoint.TryParse(header.Trim(), out var endpoint) ? Normalize(endpoint.Address) : null;

    /// <summary>An IPv6 client holds at least a /64 and can pick any address in it, so the /64 is the client.</summary>
    private static string Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
