using KpNet.Hosting;

namespace KpNet.Monitoring;

/// <summary>What monitoring keeps besides telemetry: the settings customers ask of their gateways, and the history read from the rollups.</summary>
public static class MonitoringRegistration
{
    public static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddSingleton<GatewaySettingsStore>();
        services.AddSingleton<TelemetryHistory>();
        services.AddSingleton(new StorageTable(GatewaySettingsStore.TableName));
        return services;
    }
}
