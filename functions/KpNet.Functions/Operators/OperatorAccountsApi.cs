using Azure;
using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Accounts.Sessions;
using KpNet.Audit;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Http;
using KpNet.Http.Forms;
using Microsoft.Extensions.Options;

namespace KpNet.Operators;

/// <summary>
/// Operators are accounts with the admin role: the first from Admin__FirstAdminEmail, the others granted by an operator
/// (an active customer account becomes an operator, and can be made a customer again). Each change needs a reason and
/// is written to the account's audit log.
/// </summary>
public static class OperatorAccountsApi
{
    public const string Granted = "operator-granted";
    public const string Revoked = "operator-revoked";

    public sealed record OperatorView(string UserId, string Email, string Name, DateTimeOffset? GrantedAt, string? GrantedBy, bool First);

    public sealed record OperatorGranted(string UserId);

    public static IServiceCollection AddOperatorAccounts(this IServiceCollection services)
    {
        services.AddSingleton<OperatorRoster>();
        services.AddSingleton(new StorageTable(OperatorRoster.TableName));
        return services;
    }

    public static IEndpointRouteBuilder MapOperatorAccounts(this IEndpointRouteBuilder app)
    {
        var operators = app.MapGroup("/api/operator").RequireSession(AccountRole.Admin);
        operators.MapGet("/operators", async (IOptions<AdminOptions> admin, OperatorRoster roster, AccountStore accounts, CancellationToken cancellationToken) =>
            {
                var views = new List<OperatorView>();
                if (admin.Value.FirstAdminEmail is { Length: > 0 } firstEmail
                    && await accounts.FindByEmailAsync(firstEmail, cancellationToken) is { Role: AccountRole.Admin } first)
                {
                    views.Add(new OperatorView(first.UserId, first.Email, RegistrationMailer.DisplayName(first), null, null, First: true));
                }

                foreach (var entry in await roster.ListAsync(cancellationToken))
                {
                    // The account's role is the truth; a row whose account is no operator any more is not one.
                    if (await accounts.FindByUserIdAsync(entry.UserId, cancellationToken) is { Role: AccountRole.Admin } account && views.All(v => v.UserId != account.UserId))
                    {
                        views.Add(new OperatorView(account.UserId, account.Email, RegistrationMailer.DisplayName(account), entry.GrantedAt, entry.GrantedBy, First: false));
                    }
                }

                return TypedResults.Ok(views);
            })
            .WithName("OperatorAccounts").Produces<List<OperatorView>>();

        operators.MapPost("/operators", async Task<IResult> (
                HttpContext context, AccountStore accounts, OperatorRoster roster, AuditLog audit, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken) =>
            {
                var errors = new ValidationErrors();
                if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
                {
                    return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
                }

                var (email, reason) = ReadGrant(form);
                if (errors.Any)
                {
                    return errors.ToProblem(context);
                }

                if (await accounts.FindByEmailAsync(email!, cancellationToken) is not { } account)
                {
                    return Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.SupportUserNotFound);
                }

                if (account is not { Role: AccountRole.Customer, Status: AccountStatus.Active })
                {
                    return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.OperatorGrantNotCustomer);
                }

                if (!await SetRoleAsync(accounts, account, AccountRole.Admin, cancellationToken))
                {
                    return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.OperatorGrantNotCustomer);
                }

                var user = context.RequireCurrentUser();
                await roster.AddAsync(new OperatorEntry(account.UserId, account.Email, time.GetUtcNow(), user.UserId), cancellationToken);
                await OperatorSupportApi.RecordAsync(context, audit, time, loggers, account.UserId, "", Granted, reason!, cancellationToken);
                return TypedResults.Created($"/api/operator/operators/{account.UserId}", new OperatorGranted(account.UserId));
            })
            .WithName("OperatorGrant").AcceptsForm(form => ReadGrant(form)).Produces<OperatorGranted>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        operators.MapPost("/operators/{userId}/revoke", async Task<IResult> (
                HttpContext context, string userId, IOptions<AdminOptions> admin, AccountStore accounts, OperatorRoster roster, AuditLog audit,
                TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken) =>
            {
                var (reason, refusal) = await OperatorSupportApi.ReadReasonAsync(context, cancellationToken);
                if (reason is null)
                {
                    return refusal!;
                }

                if (await accounts.FindByUserIdAsync(userId, cancellationToken) is not { Role: AccountRole.Admin } account)
                {
                    return Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.SupportUserNotFound);
                }

                // The first operator would be made one again at its next activation; and nobody takes their own role away.
                if (account.UserId == context.RequireCurrentUser().UserId || admin.Value.IsFirstAdmin(account.Email))
                {
                    return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.OperatorRevokeRefused);
                }

                if (!await SetRoleAsync(accounts, account, AccountRole.Customer, cancellationToken))
                {
                    return Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.SupportUserNotFound);
                }

                await roster.RemoveAsync(account.UserId, cancellationToken);
                await OperatorSupportApi.RecordAsync(context, audit, time, loggers, account.UserId, "", Revoked, reason!, cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("OperatorRevoke").AcceptsForm(form => OperatorSupportApi.Reason(form)).Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>The grant's body: the e-mail address of the active customer account to make an operator, and the reason.</summary>
    private static (string? Email, string? Reason) ReadGrant(JsonForm form) => (CustomerFields.Email(form, "email"), OperatorSupportApi.Reason(form));

    /// <summary>
    /// Changes the role of the account as read, again from a fresh read when it changed meanwhile; false when it is gone or
    /// no longer has the role it was read with. Sessions follow at once: each request resolves the live account's role.
    /// </summary>
    private static async Task<bool> SetRoleAsync(AccountStore accounts, Account account, AccountRole role, CancellationToken cancellationToken)
    {
        var from = account.Role;
        return await ConflictRetry.RunAsync(
            async attempt =>
            {
                if (attempt > 1)
                {
                    if (await accounts.FindByUserIdAsync(account.UserId, cancellationToken) is not { } current || current.Role != from)
                    {
                        return false;
                    }

                    account = current;
                }

                await accounts.ReplaceAsync(account with { Role = role }, cancellationToken);
                return true;
            },
            cancellationToken);
    }
}
