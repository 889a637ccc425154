namespace KpNet.Accounts.Registration;

public static class RegistrationApi
{
    public static IEndpointRouteBuilder MapRegistration(this IEndpointRouteBuilder app) => app;
}
