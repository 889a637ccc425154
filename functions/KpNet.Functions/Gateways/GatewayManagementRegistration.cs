using KpNet.Accounts.Profile;
using KpNet.Gateways.Maintenance;
using KpNet.Hosting;
using KpNet.Telemetry.Alerts;

namespace KpNet.Gateways;

/// <summary>ゲートウェイの管理 and 保守を任せる販売店様の管理: services, tables and endpoints.</summary>
public static class GatewayManagementRegistration
{
    public static IServiceCollection AddGatewayManagement(this IServiceCollection services)
    {
        services.AddSingleton<GatewayHistory>();
        services.AddSingleton<MaintenanceLinks>();
        services.AddSingleton<IOpenAlertsListener>(provider => provider.GetRequiredService<MaintenanceLinks>());
        services.AddSingleton<ICustomerNameListener>(provider => provider.GetRequiredService<MaintenanceLinks>());
        services.AddSingleton<MaintenanceMailer>();
        services.AddSingleton<GatewayViews>();
        services.AddSingleton<GatewayManagement>();
        foreach (var table in new[] { GatewayHistory.TableName, MaintenanceLinks.TableName, MaintenanceLinks.IndexTableName })
        {
            services.AddSingleton(new StorageTable(table));
        }

        return services;
    }

    public static IEndpointRouteBuilder MapGatewayManagement(this IEndpointRouteBuilder app) =>
        app.MapCustomerGateways().MapMaintenance();
}
