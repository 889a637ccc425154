using KpNet.Accounts.Profile;
using KpNet.Accounts.Recovery;
using KpNet.Accounts.Registration;
using KpNet.Accounts.Sessions;
using KpNet.Hosting;
using KpNet.Security;

namespace KpNet.Accounts;

public static class AccountsRegistration
{
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddSingleton<AccountStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SignIn>();
        services.AddSingleton<Throttle>();
        services.AddSingleton<GuessGuard>();
        services.AddSingleton<MailRequestLimits>();
        services.AddSingleton(new StorageTable(AccountStore.TableName));
        services.AddSingleton(new StorageTable(AccountStore.IdIndexTableName));
        services.AddSingleton(new StorageTable(SessionStore.TableName));
        services.AddSingleton(new StorageTable(Throttle.TableName));
        services.AddRegistration();
        services.AddRecovery();
        services.AddProfile();
        return services;
    }

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app) =>
        app.MapRegistration().MapSessions().MapRecovery().MapProfile();
}
