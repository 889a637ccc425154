namespace KpNet.Accounts.Sessions;

public static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app) => app;
}
