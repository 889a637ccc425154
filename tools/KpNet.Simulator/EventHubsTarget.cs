using Azure.Identity;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace KpNet.Simulator;

/// <summary>The Azure.Messaging.EventHubs client for <c>--event-hubs</c> or <c>--event-hubs-namespace</c>.</summary>
public static class EventHubsTarget
{
    /// <summary>Shown in the namespace's diagnostics as the client's name.</summary>
    public const string ClientIdentifier = "kpnet-simulator";

    public static EventHubProducerClient CreateProducer(SimulatorOptions options)
    {
        var clientOptions = new EventHubProducerClientOptions { Identifier = ClientIdentifier };
        return options.EventHubsConnection is { } connectionString
            ? new EventHubProducerClient(connectionString, options.EventHub, clientOptions)
            : new EventHubProducerClient(
                options.EventHubsNamespace ?? throw new InvalidOperationException("The options name no Event Hubs target."),
                options.EventHub,
                new DefaultAzureCredential(),
                clientOptions);
    }

    /// <summary>Whom the producer sends as, for the log: the key's name, never the key.</summary>
    public static string Identity(SimulatorOptions options) =>
        options.EventHubsConnection is { } connectionString
            ? EventHubsConnectionStringProperties.Parse(connectionString).SharedAccessKeyName is { } keyName
                ? $"shared access key {keyName}"
                : "a shared access signature"
            : "DefaultAzureCredential";
}
