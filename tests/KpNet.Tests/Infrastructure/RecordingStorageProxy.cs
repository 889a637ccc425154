using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KpNet.Tests.Infrastructure;

/// <summary>
/// Stands between an app and the test Azurite (tables and queues) and writes down every call it forwards, so a test can
/// prove what an HTTP request did to storage, call by call, without timing anything. Requests are forwarded unchanged
/// (the shared-key signature covers the path, not the host).
/// </summary>
public sealed partial class RecordingStorageProxy : IAsyncDisposable
{
    /// <summary>One storage call: the table or queue it addressed, and for a queued message its text.</summary>
    public sealed record StorageCall(string Method, string Resource, string? MessageText);

    private readonly List<WebApplication> _listeners = [];
    private readonly List<StorageCall> _calls = [];

    private RecordingStorageProxy()
    {
    }

    /// <summary>Azurite's connection string with the table and queue endpoints replaced by the proxy's.</summary>
    public string ConnectionString { get; private set; } = "";

    public IReadOnlyList<StorageCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public void Clear()
    {
        lock (_calls)
        {
            _calls.Clear();
        }
    }

    public static async Task<RecordingStorageProxy> StartAsync(string azuriteConnectionString)
    {
        var proxy = new RecordingStorageProxy { ConnectionString = azuriteConnectionString };
        foreach (var service in new[] { "TableEndpoint", "QueueEndpoint" })
        {
            var target = Endpoint(azuriteConnectionString, service);
            var listener = await ListenAsync(new Uri(target), proxy.Record);
            proxy._listeners.Add(listener);
            var address = listener.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            proxy.ConnectionString = proxy.ConnectionString.Replace($"{service}={target}", $"{service}={address.TrimEnd('/')}{new Uri(target).AbsolutePath}", StringComparison.Ordinal);
        }

        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.StopAsync();
            await listener.DisposeAsync();
        }
    }

    private void Record(StorageCall call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }

    private static string Endpoint(string connectionString, string name) =>
        connectionString.Split(';').Select(part => part.Split('=', 2)).Single(pair => pair[0] == name)[1];

    private static async Task<WebApplication> ListenAsync(Uri target, Action<StorageCall> record)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var forward = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        app.Lifetime.ApplicationStopped.Register(forward.Dispose);
        app.Run(async context => await ForwardAsync(context, forward, target, record));
        await app.StartAsync();
        return app;
    }

    private static async Task ForwardAsync(HttpContext context, HttpClient forward, Uri target, Action<StorageCall> record)
    {
        var request = context.Request;
        // As sent: Path is percent-decoded, and the signature covers the encoded form.
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        using var outgoing = new HttpRequestMessage(new HttpMethod(request.Method), $"{target.Scheme}://{target.Authority}{rawTarget}")
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        foreach (var (name, values) in request.Headers)
        {
            if (!string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase) && !outgoing.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                outgoing.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        record(new StorageCall(request.Method, ResourceOf(request.Path.Value ?? ""), MessageTextOf(request.Path.Value ?? "", request.Method, body.ToArray())));
        using var response = await forward.SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>"/devstoreaccount1/Throttles(PartitionKey='…',RowKey='')" → "Throttles"; "/devstoreaccount1/mail-requests/messages" → "mail-requests".</summary>
    private static string ResourceOf(string path) => Resource().Match(path).Groups[1].Value;

    /// <summary>
    /// The decoded text of a message put on a queue (the body is &lt;QueueMessage&gt;&lt;MessageText&gt;base64…, read as
    /// bytes: the SDK starts it with a UTF-8 byte-order mark).
    /// </summary>
    private static string? MessageTextOf(string path, string method, byte[] body) =>
        method == "POST" && path.EndsWith("/messages", StringComparison.Ordinal)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(XDocument.Load(new MemoryStream(body)).Root!.Element("MessageText")!.Value))
            : null;

    [GeneratedRegex(@"^/[^/]+/([^/(?]+)")]
    private static partial Regex Resource();
}
