using System.Text.Json.Serialization;
using KpNet.Http;
using KpNet.Http.Forms;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KpNet.Accounts.Sessions;

/// <summary>Login (POST /api/sessions), logout (DELETE /api/sessions/current) and the caller's profile (GET /api/me).</summary>
public static partial class SessionsApi
{
    public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt, SessionUser User);

    public sealed record SessionUser(
        string Email, string Name, string Role, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DealerId);

    public sealed record NameView(string Family, string Given);

    public sealed record CompanyView(string Name, string Department);

    public sealed record Profile(
        string UserId, string Email, string Role, NameView Name, NameView? Kana, string Phone, string PostalCode, string Prefecture,
        string City, string Street, CompanyView? Company,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DealerId, string Language,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? StaffEmails);

    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/sessions", LoginAsync).WithName("Login").AcceptsForm(form => ReadCredentials(form))
            .Produces<LoginResponse>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status429TooManyRequests);
        app.MapDelete("/api/sessions/current", LogoutAsync).WithName("Logout").RequireSession();
        app.MapGet("/api/me", MeAsync).WithName("Me").RequireSession().Produces<Profile>();
        return app;
    }

    public static string RoleName(AccountRole role) => role.ToString().ToLowerInvariant();

    private static async Task<IResult> LoginAsync(
        HttpContext context, SignIn signIn, SessionStore sessions, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger(typeof(SessionsApi));
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var (email, password) = ReadCredentials(form);
        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        if (email is null || password is null)
        {
            return Problems.Create(context, StatusCodes.Status401Unauthorized, MessageKey.LoginFailed);
        }

        switch (await signIn.AttemptAsync(email, password, ClientAddress.Of(context), cancellationToken))
        {
            case SignInResult.Succeeded { Account: var account }:
                var (token, session) = await sessions.CreateAsync(account, cancellationToken);
                SessionAuthentication.SetCookie(context, token, session.ExpiresAt);
                LogLoggedIn(log, account.UserId);
                return TypedResults.Ok(new LoginResponse(token, session.ExpiresAt,
                    new SessionUser(account.Email, $"{account.Name.Family} {account.Name.Given}".Trim(), RoleName(account.Role), account.DealerId)));
            case SignInResult.Locked { RetryAfter: var retryAfter }:
                LogLocked(log);
                return Problems.TooManyAttempts(context, retryAfter);
            case SignInResult.LockedByOperator:
                LogLoginFailed(log);
                return Problems.Create(context, StatusCodes.Status403Forbidden, MessageKey.AccountLocked);
            default:
                LogLoginFailed(log);
                return Problems.Create(context, StatusCodes.Status401Unauthorized, MessageKey.LoginFailed);
        }
    }

    /// <summary>{"email","password"}: either missing is a failed login (401), not a field error.</summary>
    private static (string? Email, string? Password) ReadCredentials(JsonForm form)
    {
        // The address becomes a table key (the account, the lockout counter): one that cannot be an address is refused before.
        var email = CustomerFields.OptionalEmail(form, "email");
        return (email, form.RawText("password"));
    }

    private static async Task<NoContent> LogoutAsync(HttpContext context, SessionStore sessions, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var user = context.RequireCurrentUser();
        await sessions.RevokeAsync(user.SessionTokenHash, cancellationToken);
        SessionAuthentication.ClearCookie(context);
        LogLoggedOut(loggers.CreateLogger(typeof(SessionsApi)), user.UserId);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> MeAsync(HttpContext context, AccountStore accounts, CancellationToken cancellationToken)
    {
        var user = context.RequireCurrentUser();
        if (await accounts.FindByEmailAsync(user.Email, cancellationToken) is not { } a)
        {
            return Problems.Create(context, StatusCodes.Status401Unauthorized, MessageKey.Unauthenticated);
        }

        return TypedResults.Ok(ProfileOf(a));
    }

    /// <summary>The account's registration data as GET /api/me answers it.</summary>
    public static Profile ProfileOf(Account a) => new(
        a.UserId, a.Email, RoleName(a.Role), new NameView(a.Name.Family, a.Name.Given),
        a.Kana is null ? null : new NameView(a.Kana.Family, a.Kana.Given), a.Phone,
        a.Address.PostalCode, a.Address.Prefecture, a.Address.City, a.Address.Street,
        a.Company is null ? null : new CompanyView(a.Company.Name, a.Company.Department), a.DealerId, a.Language, a.StaffEmails);

    [LoggerMessage(EventId = 5100, EventName = "LoggedIn", Level = LogLevel.Information, Message = "User {UserId} logged in")]
    private static partial void LogLoggedIn(ILogger logger, string userId);

    [LoggerMessage(EventId = 5101, EventName = "LoginFailed", Level = LogLevel.Information, Message = "A login failed (unknown address, wrong password or provisional account)")]
    private static partial void LogLoginFailed(ILogger logger);

    [LoggerMessage(EventId = 5102, EventName = "LoginLocked", Level = LogLevel.Warning, Message = "A login was refused: the address or the client is locked after repeated failures")]
    private static partial void LogLocked(ILogger logger);

    [LoggerMessage(EventId = 5103, EventName = "LoggedOut", Level = LogLevel.Information, Message = "User {UserId} logged out")]
    private static partial void LogLoggedOut(ILogger logger, string userId);
}
