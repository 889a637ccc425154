using KpNet.Hosting;

namespace KpNet.Audit;

public static class AuditRegistration
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        services.AddSingleton(new StorageTable(AuditLog.TableName));
        services.AddSingleton(new StorageTable(AuditLog.ViewerIndexTableName));
        return services;
    }
}
