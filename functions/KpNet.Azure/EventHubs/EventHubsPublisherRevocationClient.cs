using System.Security;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KpNet.Azure.EventHubs;

/// <summary>
/// Revokes an Event Hubs publisher (REST: PUT {hub}/revokedpublishers/{publisher}, api-version 2014-05): every later
/// send as that publisher is refused, whatever token it holds. Authorised by Microsoft Entra ID; the identity needs
/// manage rights on the hub (Azure Event Hubs Data Owner scoped to it).
/// </summary>
public class EventHubsPublisherRevocationClient
{
    public const string ApiVersion = "2014-05";

    private readonly HttpPipeline _pipeline;
    private readonly Uri _eventHubUri;

    /// <param name="fullyQualifiedNamespace">e.g. kpnet-prod.servicebus.windows.net</param>
    public EventHubsPublisherRevocationClient(string fullyQualifiedNamespace, string eventHubName, TokenCredential credential, ClientOptions? options = null)
    {
        _eventHubUri = new Uri($"https://{fullyQualifiedNamespace}/{Uri.EscapeDataString(eventHubName)}/");
        _pipeline = HttpPipelineBuilder.Build(
            options ?? new EventHubsProducerClientOptions(),
            new BearerTokenAuthenticationPolicy(credential, "https://eventhubs.azure.net/.default"));
    }

    protected EventHubsPublisherRevocationClient()
    {
        _pipeline = null!;
        _eventHubUri = null!;
    }

    /// <summary>Idempotent: a publisher revoked already (409) counts as revoked.</summary>
    public virtual async Task RevokeAsync(string publisher, CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage();
        message.ResponseClassifier = new StatusCodeClassifier([201, 409]);
        var request = message.Request;
        request.Method = RequestMethod.Put;
        request.Uri.Reset(new Uri(_eventHubUri, $"revokedpublishers/{Uri.EscapeDataString(publisher)}?api-version={ApiVersion}"));
        request.Headers.SetValue("Content-Type", "application/atom+xml;type=entry;charset=utf-8");
        request.Content = RequestContent.Create(BinaryData.FromString(
            "<entry xmlns=\"http://www.w3.org/2005/Atom\"><content type=\"application/xml\">"
            + "<RevokedPublisherDescription xmlns=\"http://schemas.microsoft.com/netservices/2010/10/servicebus/connect\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
            + $"<Name>{SecurityElement.Escape(publisher)}</Name></RevokedPublisherDescription></content></entry>"));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.IsError)
        {
            throw new RequestFailedException(message.Response);
        }
    }
}
