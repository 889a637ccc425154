using KpNet.Hosting;

namespace KpNet.Notices;

public static class NoticesRegistration
{
    public static IServiceCollection AddNotices(this IServiceCollection services)
    {
        services.AddSingleton<NoticeStore>();
        services.AddSingleton(new StorageTable(NoticeStore.TableName));
        return services;
    }
}
