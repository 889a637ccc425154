namespace KpNet.Accounts.Sessions;

/// <summary>Who is calling, resolved from a live session against the live account on every request.</summary>
public sealed record CurrentUser(string UserId, string Email, AccountRole Role, int? DealerId, string SessionTokenHash);

public static class CurrentUserExtensions
{
    public static CurrentUser? GetCurrentUser(this HttpContext context) => context.Features.Get<CurrentUser>();

    public static CurrentUser RequireCurrentUser(this HttpContext context) =>
        context.Features.Get<CurrentUser>() ?? throw new InvalidOperationException("The endpoint is not behind RequireSession().");
}
