using System.Net;
using System.Net.Sockets;

namespace KpNet.Tests.Infrastructure;

public static class FreeTcpPort
{
    /// <summary>A loopback port no one listens on now (for a child process told which port to take).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
