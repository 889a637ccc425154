using KpNet.Gateways.Maintenance;
using KpNet.Gateways.Monitoring;
using KpNet.Hosting;

namespace KpNet.Gateways;

/// <summary>ゲートウェイの管理 and 保守を任せる販売店様の管理: services, tables and endpoints.</summary>
public static class GatewayManagementRegistration
{
    public static IServiceCollection AddGatewayManagement(this IServiceCollection services)
    {
        services.AddSingleton<GatewayHistory>();
        services.AddSingleton<MaintenanceMailer>();
        services.AddSingleton<GatewayViews>();
        services.AddSingleton<GatewayManagement>();
        services.AddSingleton(new StorageTable(GatewayHistory.TableName));

        return services;
    }

    /// <summary>Every /api/gateways route: the check before registration, the customer's gateways, their dealers, and monitoring.</summary>
    public static IEndpointRouteBuilder MapGateways(this IEndpointRouteBuilder app) =>
        app.MapGatewayVerification().MapCustomerGateways().MapMaintenance().MapMonitoring();
}
