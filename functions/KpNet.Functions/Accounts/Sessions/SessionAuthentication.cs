using KpNet.Configuration;
using KpNet.Http;

namespace KpNet.Accounts.Sessions;

/// <summary>
/// Resolves the caller from "Authorization: Bearer &lt;token&gt;" (smartphone app) or the HttpOnly session cookie
/// (portal). A session counts only while its account is active and its security stamp unchanged.
/// </summary>
public static class SessionAuthentication
{
    public const string CookieName = "kpnet_session";

    public static IApplicationBuilder UseSessionAuthentication(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api") && TokenOf(context.Request) is { } token)
            {
                var sessions = context.RequestServices.GetRequiredService<SessionStore>();
                var session = await sessions.FindAsync(token, context.RequestAborted);
                if (session is not null)
                {
                    var account = await context.RequestServices.GetRequiredService<AccountStore>().FindByEmailAsync(session.Email, context.RequestAborted);
                    if (account is { Status: AccountStatus.Active, LockedAt: null } && account.UserId == session.UserId && account.SecurityStamp == session.SecurityStamp)
                    {
                        context.Features.Set(new CurrentUser(account.UserId, account.Email, account.Role, account.DealerId, session.TokenHash));
                    }
                }
            }

            await next(context);
        });

    public static string? TokenOf(HttpRequest request)
    {
        if (BearerToken.Of(request) is { } bearer)
        {
            return bearer;
        }

        return request.Cookies.TryGetValue(CookieName, out var cookie) ? cookie : null;
    }

    /// <summary>
    /// Sets the portal's session cookie: HttpOnly, SameSite=Lax, scoped to /api, and Secure whenever the app is hosted: the
    /// Functions host hands every request over loopback HTTP, whatever the browser used.
    /// </summary>
    public static void SetCookie(HttpContext context, string token, DateTimeOffset expiresAt) =>
        context.Response.Cookies.Append(CookieName, token, CookieOptionsFor(context, expiresAt));

    public static void ClearCookie(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, CookieOptionsFor(context, expiresAt: null));

    private static CookieOptions CookieOptionsFor(HttpContext context, DateTimeOffset? expiresAt) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps || context.RequestServices.GetRequiredService<HostingMode>().UnderFunctionsHost,
        SameSite = SameSiteMode.Lax,
        Path = "/api",
        Expires = expiresAt,
    };

    /// <summary>
    /// Only callers with a live session (and, when given, one of these roles) reach the endpoints: 401 / 403 otherwise; a
    /// change made with the cookie from another site's page is refused 403 (<see cref="CrossSiteRequests"/>).
    /// </summary>
    public static TBuilder RequireSession<TBuilder>(this TBuilder builder, params AccountRole[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SessionRequirement(roles)).AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var user = context.GetCurrentUser();
            if (user is null)
            {
                return Problems.Create(context, StatusCodes.Status401Unauthorized, MessageKey.Unauthenticated);
            }

            if (CrossSiteRequests.IsCookieChangeFromAnotherSite(context))
            {
                return Problems.Create(context, StatusCodes.Status403Forbidden, MessageKey.CrossSiteRequestRefused);
            }

            if (roles.Length > 0 && !roles.Contains(user.Role))
            {
                return Problems.Create(context, StatusCodes.Status403Forbidden, MessageKey.Forbidden);
            }

            return await next(invocation);
        });
}

/// <summary>Marks an endpoint behind <see cref="SessionAuthentication.RequireSession"/>, for the API contract.</summary>
public sealed record SessionRequirement(IReadOnlyList<AccountRole> Roles);
