using KpNet.Azure.EventHubs;
using KpNet.Configuration;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Local;
using KpNet.Telemetry.Alerts;
using Microsoft.Extensions.Options;

namespace KpNet.Telemetry;

/// <summary>Telemetry ingestion: the Event Hubs function, its tables and services.</summary>
public static class TelemetryRegistration
{
    /// <summary>
    /// Once a retry policy is exhausted the host checkpoints the batch whatever the result, so a batch is retried until
    /// it is applied: a storage outage only delays telemetry. What would fail every retry the same way (one gateway's
    /// rows refused by storage) is set aside by the function instead, so it cannot hold a partition up.
    /// </summary>
    public static readonly RetryPolicy IngestRetry = new(RetryPolicy.UntilSucceeded, MinimumInterval: TimeSpan.FromSeconds(2), MaximumInterval: TimeSpan.FromSeconds(30));

    public static IServiceCollection AddTelemetry(this IServiceCollection services, HostingMode mode)
    {
        services.AddSingleton<TelemetryStorage>();
        services.AddSingleton<IStorageTableSource>(provider => provider.GetRequiredService<TelemetryStorage>());
        services.AddSingleton<KnownGateways>();
        services.AddSingleton<TelemetryParserPool>();
        services.AddSingleton<GatewayStatusWriter>();
        services.AddSingleton(new GatewayCache<CachedRollups>(TelemetryRollups.MaxCachedGateways));
        services.AddSingleton<TelemetryRollups>();
        services.AddSingleton<TelemetryDeadLetters>();
        services.AddSingleton<GatewayStatusStore>();
        services.AddSingleton<AlertStore>();
        services.AddSingleton<GatewayLastSeen>();
        services.AddSingleton<AlertMailer>();
        services.AddSingleton<AlertEngine>();
        services.AddSingleton<ConnectivityRecords>();
        TelemetryHubOptions.AddTo(services);
        services.AddSingleton(sp => new TelemetryPublishers(
            sp.GetRequiredService<IOptions<TelemetryHubOptions>>(), sp.GetRequiredService<StorageAccount>(), sp.GetRequiredService<TimeProvider>(),
            new Lazy<EventHubsPublisherRevocationClient>(() => PublisherRevocationClient(sp, mode))));
        services.AddQueueFunction<RevokeTelemetryPublisherFunction>(RevokeTelemetryPublisherFunction.Name, TelemetryPublishers.RevocationQueueName);
        services.AddTimerFunction<OfflineSweepFunction>(OfflineSweepFunction.Name, OfflineSweepFunction.Schedule);
        services.AddEventHubFunction<TelemetryIngestFunction>(
            TelemetryIngestFunction.Name, TelemetryIngestFunction.EventHubName, TelemetryIngestFunction.Connection, IngestRetry,
            TelemetryIngestFunction.ConsumerGroup);
        return services;
    }

    private static EventHubsPublisherRevocationClient PublisherRevocationClient(IServiceProvider services, HostingMode mode)
    {
        if (mode.RunsLocalTriggers)
        {
            return new LocalPublisherRevocation(services.GetRequiredKeyedService<LocalEventHub>(TelemetryIngestFunction.Name));
        }

        return new EventHubsPublisherRevocationClient(
            services.GetRequiredService<IOptions<TelemetryHubOptions>>().Value.FullyQualifiedNamespace!,
            TelemetryIngestFunction.EventHubName,
            AppIdentity.Credential(services.GetRequiredService<IConfiguration>()));
    }
}
