using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KpNet.Azure.EventHubs;

public sealed class EventHubsProducerClientOptions : ClientOptions
{
    /// <summary>Largest request Event Hubs accepts: 1 MB on Standard and above, 256 KB on Basic.</summary>
    public int MaxRequestBytes { get; set; } = 1_000_000;

    public TimeSpan SignatureLifetime { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>An event to send: its body text and, optionally, a partition key (the gateway ID keeps a gateway's events in order).</summary>
public sealed record OutgoingEvent(string Body, string? PartitionKey = null);

/// <summary>Sends events with the Event Hubs REST API (single and batch), authorised by SAS.</summary>
public class EventHubsProducerClient
{
    public const string BatchContentType = "application/vnd.microsoft.servicebus.json";
    public const string ApiVersion = "2014-01";

    private readonly HttpPipeline _pipeline;
    private readonly Uri _messagesUri;
    private readonly int _maxRequestBytes;

    public EventHubsProducerClient(string connectionString, EventHubsProducerClientOptions? options = null)
    {
        options ??= new EventHubsProducerClientOptions();
        var connection = EventHubsConnectionString.Parse(connectionString);
        EventHubName = connection.EventHubName;
        _maxRequestBytes = options.MaxRequestBytes;
        _messagesUri = new Uri(connection.EventHubUri.AbsoluteUri.TrimEnd('/') + "/messages?timeout=60&api-version=" + ApiVersion);
        _pipeline = HttpPipelineBuilder.Build(options, new SharedAccessSignaturePolicy(connection, options.SignatureLifetime));
    }

    /// <summary>
    /// Sends as one publisher (a device) with the token it was given for <c>{hub}/publishers/{publisher}</c>: Event Hubs
    /// makes the publisher's name the partition key of every event it sends, so its events cannot claim to be another's.
    /// </summary>
    public EventHubsProducerClient(Uri publisherUri, string sharedAccessSignature, EventHubsProducerClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(publisherUri);
        options ??= new EventHubsProducerClientOptions();
        var segments = publisherUri.AbsolutePath.Trim('/').Split('/');
        if (segments.Length != 3 || segments[1] != "publishers")
        {
            throw new ArgumentException($"'{publisherUri}' is not a publisher's URI ({{hub}}/publishers/{{publisher}}).", nameof(publisherUri));
        }

        EventHubName = segments[0];
        _maxRequestBytes = options.MaxRequestBytes;
        _messagesUri = new Uri(publisherUri.AbsoluteUri.TrimEnd('/') + "/messages?timeout=60&api-version=" + ApiVersion);
        _pipeline = HttpPipelineBuilder.Build(options, new GivenSignaturePolicy(sharedAccessSignature));
    }

    protected EventHubsProducerClient()
    {
        _pipeline = null!;
        _messagesUri = null!;
        EventHubName = "";
    }

    public virtual string EventHubName { get; }

    /// <summary>Sends the events as one batch request; throws <see cref="ArgumentException"/> before sending when it exceeds the size limit.</summary>
    public virtual async Task<Response> SendBatchAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one event.", nameof(events));
        }

        var body = WriteBatch(events);
        if (body.Length > _maxRequestBytes)
        {
            throw new ArgumentException($"The batch is {body.Length} bytes; Event Hubs accepts at most {_maxRequestBytes}. Split it.", nameof(events));
        }

        return await SendAsync(body, BatchContentType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one event whose body is the given bytes.</summary>
    public virtual async Task<Response> SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        if (body.Length > _maxRequestBytes)
        {
            throw new ArgumentException($"The event is {body.Length} bytes; Event Hubs accepts at most {_maxRequestBytes}.", nameof(body));
        }

        return await SendAsync(body, "application/atom+xml;type=entry;charset=utf-8", cancellationToken).ConfigureAwait(false);
    }

    private async Task<Response> SendAsync(ReadOnlyMemory<byte> body, string contentType, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        message.ResponseClassifier = new StatusCodeClassifier([201]);
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(_messagesUri);
        request.Headers.SetValue("Content-Type", contentType);
        request.Content = RequestContent.Create(body);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.IsError)
        {
            throw new RequestFailedException(response);
        }

        return response;
    }

    internal static byte[] WriteBatch(IReadOnlyList<OutgoingEvent> events)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var outgoing in events)
            {
                writer.WriteStartObject();
                writer.WriteString("Body", outgoing.Body);
                if (outgoing.PartitionKey is not null)
                {
                    writer.WriteStartObject("BrokerProperties");
                    writer.WriteString("PartitionKey", outgoing.PartitionKey);
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    private sealed class GivenSignaturePolicy(string signature) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue("Authorization", signature);
    }

    private sealed class SharedAccessSignaturePolicy(EventHubsConnectionString connection, TimeSpan lifetime) : HttpPipelineSynchronousPolicy
    {
        private string? _token;
        private DateTimeOffset _renewAt;

        public override void OnSendingRequest(HttpMessage message)
        {
            var now = DateTimeOffset.UtcNow;
            if (_token is null || now >= _renewAt)
            {
                _token = SharedAccessSignature.Create(connection.EventHubUri, connection.SharedAccessKeyName, connection.SharedAccessKey, now + lifetime);
                _renewAt = now + lifetime / 2;
            }

            message.Request.Headers.SetValue("Authorization", _token);
        }
    }
}
