using KpNet.Azure.EventHubs;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using KpNet.Inventory;
using Microsoft.Extensions.Options;

namespace KpNet.Telemetry;

/// <summary>A gateway's credential for sending telemetry as itself: a token for its own Event Hubs publisher.</summary>
public sealed record PublisherToken(Uri Endpoint, string Token, DateTimeOffset ExpiresAt);

/// <summary>
/// Each gateway sends as its own Event Hubs publisher (<c>telemetry/publishers/{gatewayId}</c>). Event Hubs makes the
/// publisher's name the partition key of its events, and the ingest function applies an event only when that is its
/// gatewayId, so a gateway can only report for itself. Tokens are short-lived and signed with the send-only
/// gateway-send policy, which only this app holds; a replaced or disposed gateway gets no new one and its publisher is
/// revoked, which stops the token it still has.
/// </summary>
/// <param name="revocations">Made on first use, so the functions resolve where the Event Hubs settings are absent.</param>
public sealed class TelemetryPublishers(IOptions<TelemetryHubOptions> hub, StorageAccount storage, TimeProvider time, Lazy<EventHubsPublisherRevocationClient> revocations)
{
    /// <summary>A gateway fetches a new token when less than a quarter of this is left.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(24);

    public const string RevocationQueueName = "telemetry-publisher-revocations";

    public PublisherToken Issue(string gatewayId)
    {
        var connection = EventHubsConnectionString.Parse(hub.Value.GatewaySend!);
        var publisher = new Uri(connection.EventHubUri.AbsoluteUri.TrimEnd('/') + "/publishers/" + gatewayId);
        var expiresAt = time.GetUtcNow() + TokenLifetime;
        return new PublisherToken(publisher, SharedAccessSignature.Create(publisher, connection.SharedAccessKeyName, connection.SharedAccessKey, expiresAt), expiresAt);
    }

    /// <summary>Queued in the same step as the retirement, so a failed revocation is retried, not forgotten.</summary>
    public async Task QueueRevocationAsync(string gatewayId, CancellationToken cancellationToken) =>
        await storage.GetQueueClient(RevocationQueueName).SendMessageAsync(gatewayId, cancellationToken: cancellationToken);

    public Task RevokeAsync(string gatewayId, CancellationToken cancellationToken) => revocations.Value.RevokeAsync(gatewayId, cancellationToken);
}

/// <summary>Revokes a replaced or disposed gateway's Event Hubs publisher.</summary>
public sealed partial class RevokeTelemetryPublisherFunction(TelemetryPublishers publishers, ILogger<RevokeTelemetryPublisherFunction> logger) : IQueueFunction
{
    public const string Name = "RevokeTelemetryPublisher";

    public async Task RunAsync(QueueTriggerInput message, CancellationToken cancellationToken)
    {
        var gatewayId = message.Text.Trim();
        if (!GatewayId.IsValid(gatewayId))
        {
            throw new FormatException("The message does not name a gateway.");
        }

        await publishers.RevokeAsync(gatewayId, cancellationToken);
        LogRevoked(gatewayId);
    }

    [LoggerMessage(EventId = 4020, EventName = "TelemetryPublisherRevoked", Level = LogLevel.Information, Message = "Event Hubs publisher of gateway {GatewayId} revoked")]
    private partial void LogRevoked(string gatewayId);
}
