namespace KpNet.Hosting.Local;

/// <summary>
/// host.json's extensions.queues, read from configuration under AzureFunctionsJobHost:extensions:queues, which is
/// also where the real host lets app settings (AzureFunctionsJobHost__extensions__queues__…) override host.json.
/// </summary>
public sealed class QueueTriggerOptions
{
    public const string Section = "AzureFunctionsJobHost:extensions:queues";

    public int BatchSize { get; set; } = 16;

    /// <summary>Fetch more once fewer than this many messages are still being handled (the host's newBatchThreshold).</summary>
    public int NewBatchThreshold { get; set; } = 8;
    public int MaxDequeueCount { get; set; } = 5;
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>host.json's extensions.eventHubs, for the local ingest endpoint's batching.</summary>
public sealed class EventHubTriggerOptions
{
    public const string Section = "AzureFunctionsJobHost:extensions:eventHubs";

    public int MaxEventBatchSize { get; set; } = 100;
}
