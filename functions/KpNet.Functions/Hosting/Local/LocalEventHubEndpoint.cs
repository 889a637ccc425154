using System.Text;
using System.Text.Json;
using KpNet.Azure.EventHubs;
using KpNet.Http;
using KpNet.Json;
using Microsoft.AspNetCore.Http.Timeouts;

namespace KpNet.Hosting.Local;

/// <summary>
/// The Event Hubs REST send API (POST /{hub}/messages, single and batch), served locally so the gateway simulator
/// and tests use the same client code as against a real namespace. SAS is checked against the hub's connection
/// string: key name, signature, an expiry at most <see cref="MaxSignatureLifetime"/> ahead, and an sr that covers the
/// request's path (the hub, or exactly the publisher sent as; its host is not checked, so any local port works). A send
/// as a publisher gets the publisher's name as every event's partition key, as Event Hubs gives it, and a revoked
/// publisher is refused.
/// </summary>
public static partial class LocalEventHubEndpoint
{
    public const int MaxRequestBytes = 1_000_000;

    public static IEndpointRouteBuilder MapLocalEventHubs(this IEndpointRouteBuilder app, IEnumerable<LocalEventHub> hubs)
    {
        foreach (var hub in hubs)
        {
            MapSend(app, hub, $"/{hub.EventHubName}/messages");
            MapSend(app, hub, $"/{hub.EventHubName}/partitions/{{partitionId}}/messages");
            MapSend(app, hub, $"/{hub.EventHubName}/publishers/{{publisherId}}/messages");
        }

        return app;
    }

    private static void MapSend(IEndpointRouteBuilder app, LocalEventHub hub, string pattern) =>
        app.MapPost(pattern, (HttpContext context, IConfiguration configuration, TimeProvider time, ILoggerFactory loggers) =>
                IngestAsync(hub, context, configuration, time, loggers.CreateLogger(typeof(LocalEventHubEndpoint))))
            .ExcludeFromDescription().DisableRequestTimeout();

    private static async Task<IResult> IngestAsync(LocalEventHub hub, HttpContext context, IConfiguration configuration, TimeProvider time, ILogger logger)
    {
        var connection = EventHubsConnectionString.Parse(configuration[hub.Connection]
            ?? throw new InvalidOperationException($"Setting {hub.Connection} is missing."));
        var publisher = context.Request.RouteValues["publisherId"] as string;
        if (!IsAuthorized(context.Request.Headers.Authorization.ToString(), connection, context.Request.Path.Value ?? "", time.GetUtcNow())
            || (publisher is not null && hub.IsRevoked(publisher)))
        {
            LogUnauthorized(logger, hub.EventHubName, context.Connection.RemoteIpAddress?.ToString());
            return Problems.Create(context, StatusCodes.Status401Unauthorized, MessageKey.EventHubUnauthorized);
        }

        var body = await ReadBodyAsync(context.Request, MaxRequestBytes + 1, context.RequestAborted);
        if (body.Length > MaxRequestBytes)
        {
            return Problems.Create(context, StatusCodes.Status413RequestEntityTooLarge, MessageKey.EventHubBodyTooLarge, MaxRequestBytes);
        }

        List<IngestedEvent> events;
        try
        {
            events = IsBatch(context.Request.ContentType)
                ? ReadBatch(body)
                : [new IngestedEvent(body, ReadPartitionKey(context.Request.Headers["BrokerProperties"].ToString()))];
        }
        catch (FormatException e)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.EventHubMalformedBatch, e.Message);
        }

        if (publisher is not null)
        {
            // Event Hubs makes a publisher's name the partition key of everything it sends; a different key is refused.
            if (events.Any(e => e.PartitionKey is not null && e.PartitionKey != publisher))
            {
                return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.EventHubMalformedBatch, "a partition key other than the publisher");
            }

            events = events.ConvertAll(e => e with { PartitionKey = publisher });
        }

        var outcome = await hub.SendAsync(events);
        if (outcome == LocalSendOutcome.Handled)
        {
            return Results.StatusCode(StatusCodes.Status201Created);
        }

        LogSendNotHandled(logger, hub.EventHubName, events.Count, outcome);
        context.Response.Headers.RetryAfter = "5";
        return Problems.Create(context, StatusCodes.Status503ServiceUnavailable, MessageKey.EventHubUnavailable);
    }

    /// <summary>Event Hubs itself accepts any expiry; locally a token may not outlive this, so a forgotten one cannot.</summary>
    public static readonly TimeSpan MaxSignatureLifetime = TimeSpan.FromDays(7);

    internal static bool IsAuthorized(string authorization, EventHubsConnectionString connection, string requestPath, DateTimeOffset now) =>
        SharedAccessSignature.TryParse(authorization, out var signature)
        && signature!.IsValid(connection.SharedAccessKeyName, connection.SharedAccessKey, now)
        && signature.ExpiresAtUnixSeconds <= (now + MaxSignatureLifetime).ToUnixTimeSeconds()
        && signature.Covers(requestPath);

    private static bool IsBatch(string? contentType) =>
        contentType is not null && contentType.StartsWith(EventHubsProducerClient.BatchContentType, StringComparison.OrdinalIgnoreCase);

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length >= limit)
            {
                break;
            }
        }

        return buffer.ToArray();
    }

    private static List<IngestedEvent> ReadBatch(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("the body is not a JSON array");
            }

            var events = new List<IngestedEvent>(document.RootElement.GetArrayLength());
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("Body", out var eventBody) || eventBody.ValueKind != JsonValueKind.String)
                {
                    throw new FormatException($"element {events.Count} has no string \"Body\"");
                }

                var isBase64 = element.TryGetProperty("IsBodyBase64", out var flag) && flag.ValueKind == JsonValueKind.True;
                var text = TextOf(eventBody, $"element {events.Count}'s \"Body\"");
                var bytes = isBase64 ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
                string? partitionKey = null;
                if (element.TryGetProperty("BrokerProperties", out var broker) && broker.ValueKind == JsonValueKind.Object
                    && broker.TryGetProperty("PartitionKey", out var key) && key.ValueKind == JsonValueKind.String)
                {
                    partitionKey = TextOf(key, $"element {events.Count}'s partition key");
                }

                events.Add(new IngestedEvent(bytes, partitionKey));
            }

            return events.Count > 0 ? events : throw new FormatException("the batch is empty");
        }
        catch (JsonException e)
        {
            throw new FormatException("the body is not JSON", e);
        }
    }

    private static string? ReadPartitionKey(string brokerProperties)
    {
        if (brokerProperties.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(brokerProperties);
            return document.RootElement.TryGetProperty("PartitionKey", out var key) && key.ValueKind == JsonValueKind.String
                ? TextOf(key, "the partition key")
                : null;
        }
        catch (JsonException e)
        {
            throw new FormatException("the BrokerProperties header is not JSON", e);
        }
    }

    private static string TextOf(JsonElement value, string what) =>
        JsonText.TryGetString(value, out var text) ? text : throw new FormatException(what + " is not Unicode text");

    [LoggerMessage(EventId = 1302, EventName = "EventHubSendNotHandled", Level = LogLevel.Warning, Message = "A send of {EventCount} events to {EventHubName} was answered 503 ({Outcome}); the sender resends")]
    private static partial void LogSendNotHandled(ILogger logger, string eventHubName, int eventCount, LocalSendOutcome outcome);

    [LoggerMessage(EventId = 1301, EventName = "EventHubSendUnauthorized", Level = LogLevel.Warning, Message = "Rejected a send to {EventHubName} from {RemoteAddress}: bad or expired SAS")]
    private static partial void LogUnauthorized(ILogger logger, string eventHubName, string? remoteAddress);
}
