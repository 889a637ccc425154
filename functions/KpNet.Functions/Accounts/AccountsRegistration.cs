using KpNet.Accounts.Activation;
using KpNet.Accounts.Dealers;
using KpNet.Accounts.Profile;
using KpNet.Accounts.Recovery;
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
        services.AddActivation();
        services.AddRecovery();
        services.AddProfile();
        services.AddDealerAccounts();
        return services;
    }

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app) =>
        app.MapActivation().MapSessions().MapRecovery().MapProfile().MapDealerSignUp();
}
