using KpNet.Accounts.Activation;
using KpNet.Accounts.Profile;
using KpNet.Hosting;
using KpNet.Telemetry.Alerts;

namespace KpNet.Access;

/// <summary>Who owns a gateway and which dealers maintain it: claims, credentials, sites, maintenance links and the access decision.</summary>
public static class AccessRegistration
{
    public static IServiceCollection AddGatewayAccess(this IServiceCollection services)
    {
        services.AddSingleton<GatewayCredentials>();
        services.AddSingleton<GatewayClaims>();
        services.AddSingleton<CustomerSites>();
        services.AddSingleton<RegistrationRelease>();
        services.AddSingleton<RegistrationExpiries>();
        services.AddSingleton<IActivationListener, ProvisionalClaims>();
        services.AddSingleton<MaintenanceLinks>();
        services.AddSingleton<IOpenAlertsListener>(provider => provider.GetRequiredService<MaintenanceLinks>());
        services.AddSingleton<ICustomerNameListener>(provider => provider.GetRequiredService<MaintenanceLinks>());
        services.AddSingleton<DealerAccess>();
        services.AddSingleton<GatewayAccess>();
        services.AddSingleton<IAlertRecipients>(provider => provider.GetRequiredService<GatewayAccess>());
        foreach (var table in new[] { GatewayClaims.TableName, CustomerSites.TableName, RegistrationExpiries.TableName, MaintenanceLinks.TableName, MaintenanceLinks.IndexTableName })
        {
            services.AddSingleton(new StorageTable(table));
        }

        return services;
    }
}
