using System.Net;
using System.Net.Sockets;

namespace KpNet.Tests.Infrastructure;

/// <summary>
/// HTTP clients with an IP address of their own: their connections leave from a loopback address no other client uses
/// (Linux routes all of 127.0.0.0/8 to the loopback interface), so per-client limits counted by other tests on the shared
/// Azurite never block them. Forwarding headers would not do: locally the app ignores them. Every body goes with a
/// Content-Length, as every client of the app must send it: the Functions host drops a chunked body, and locally the app
/// answers 411 (HttpClient would otherwise send JSON content chunked). A request that asks for chunked still gets it.
/// </summary>
public static class LoopbackClient
{
    public static HttpClient Create(Uri baseAddress, CookieContainer? cookies = null, IPAddress? from = null) =>
        new(new ContentLengthHandler(Handler(from ?? UniqueAddress(), cookies))) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public static IPAddress UniqueAddress() =>
        new([127, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(1, 255)]);

    private static SocketsHttpHandler Handler(IPAddress from, CookieContainer? cookies) => new()
    {
        CookieContainer = cookies ?? new CookieContainer(),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(from.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private sealed class ContentLengthHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null && request.Headers.TransferEncodingChunked != true)
            {
                await request.Content.LoadIntoBufferAsync(cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
