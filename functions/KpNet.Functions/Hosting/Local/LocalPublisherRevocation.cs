using KpNet.Azure.EventHubs;

namespace KpNet.Hosting.Local;

/// <summary>Revokes publishers on the local stand-in for Event Hubs, as the REST call does on the real one.</summary>
public sealed class LocalPublisherRevocation(LocalEventHub hub) : EventHubsPublisherRevocationClient
{
    public override Task RevokeAsync(string publisher, CancellationToken cancellationToken = default)
    {
        hub.RevokePublisher(publisher);
        return Task.CompletedTask;
    }
}
