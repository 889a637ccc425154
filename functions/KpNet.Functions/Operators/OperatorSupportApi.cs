using System.Globalization;
using Azure;
using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Accounts.Dealers;
using KpNet.Accounts.Sessions;
using KpNet.Audit;
using KpNet.Azure.Storage;
using KpNet.Gateways;
using KpNet.Gateways.Maintenance;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Inventory;

namespace KpNet.Operators;

/// <summary>
/// What the operator does for a customer on the phone: a new activation link, releasing a provisional registration,
/// unlinking a dealer at the customer's request, locking and unlocking an account. Each needs a reason, and each is
/// written to the customer's audit log (action and reason) before it is answered.
/// </summary>
public static partial class OperatorSupportApi
{
    public const int MaxReasonLength = 200;

    public static class Actions
    {
        public const string ActivationLinkSent = "activation-link-sent";
        public const string ClaimReleased = "claim-released";
        public const string DealerUnlinked = "dealer-unlinked";
        public const string AccountLocked = "account-locked";
        public const string AccountUnlocked = "account-unlocked";
    }

    public sealed record ActivationLinkSent(DateTimeOffset ActivationExpiresAt);

    public static IEndpointRouteBuilder MapOperatorSupport(this IEndpointRouteBuilder app)
    {
        var operators = app.MapGroup("/api/operator").RequireSession(AccountRole.Admin);
        operators.MapPost("/accounts/{userId}/activation-link", async Task<IResult> (
                HttpContext context, string userId, AccountStore accounts, ActivationLinks links, AuditLog audit, TimeProvider time,
                ILoggerFactory loggers, CancellationToken cancellationToken) =>
            {
                var (reason, refusal) = await ReadReasonAsync(context, cancellationToken);
                if (reason is null)
                {
                    return refusal!;
                }

                if (await accounts.FindByUserIdAsync(userId, cancellationToken) is not { } account)
                {
                    return Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.SupportUserNotFound);
                }

                var kind = account.Role == AccountRole.Dealer ? ActivationKind.Dealer : ActivationKind.Customer;
                if (await links.ReissueAsync(account, kind, cancellationToken) is not { } expiresAt)
                {
                    return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.SupportAccountNotProvisional);
                }

                await RecordAsync(context, audit, time, loggers, account.UserId, "", Actions.ActivationLinkSent, reason, cancellationToken);
                return TypedResults.Accepted((string?)null, new ActivationLinkSent(expiresAt));
            })
            .WithName("OperatorResendActivationLink").AcceptsForm(form => Reason(form)).Produces<ActivationLinkSent>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        operators.MapPost("/gateways/{id}/release", async Task<IResult> (
                HttpContext context, string id, GatewayClaims claims, AccountStore accounts, RegistrationRelease release, AuditLog audit,
                TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken) =>
            {
                var (reason, refusal) = await ReadReasonAsync(context, cancellationToken);
                if (reason is null)
                {
                    return refusal!;
                }

                var gatewayId = GatewayId.Normalize(id);
                if (!GatewayId.IsValid(gatewayId) || await claims.FindAsync(gatewayId, cancellationToken) is not { } claim)
                {
                    return CustomerGatewaysApi.NotFound(context);
                }

                var account = await accounts.FindByUserIdAsync(claim.OwnerUserId, cancellationToken);
                if (claim.Status != ClaimStatus.Provisional || account is { Status: AccountStatus.Active })
                {
                    return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.SupportClaimNotProvisional);
                }

                // Recorded first: the release deletes the provisional account the entry belongs to.
                await RecordAsync(context, audit, time, loggers, claim.OwnerUserId, gatewayId, Actions.ClaimReleased, reason, cancellationToken);
                return await release.ReleaseAsync(claim, account, cancellationToken)
                    ? TypedResults.NoContent()
                    : Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.SupportClaimNotProvisional);
            })
            .WithName("OperatorReleaseClaim").AcceptsForm(form => Reason(form)).Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        operators.MapPost("/gateways/{id}/dealers/{dealerId}/unlink", async Task<IResult> (
                HttpContext context, string id, string dealerId, GatewayClaims claims, CustomerSites sites, MaintenanceLinks links, DealerDirectory dealers,
                GatewayHistory history, AccountStore accounts, MaintenanceMailer mailer, AuditLog audit, TimeProvider time, ILoggerFactory loggers,
                CancellationToken cancellationToken) =>
            {
                var (reason, refusal) = await ReadReasonAsync(context, cancellationToken);
                if (reason is null)
                {
                    return refusal!;
                }

                var gatewayId = GatewayId.Normalize(id);
                if (!GatewayId.IsValid(gatewayId) || await claims.FindAsync(gatewayId, cancellationToken) is not { } claim
                    || await sites.FindAsync(claim.OwnerUserId, gatewayId, cancellationToken) is not { } site)
                {
                    return CustomerGatewaysApi.NotFound(context);
                }

                if (!int.TryParse(JsonForm.Normalize(dealerId), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                    || !await links.IsLinkedAsync(gatewayId, number, cancellationToken))
                {
                    return Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.DealerNotLinked);
                }

                await RecordAsync(context, audit, time, loggers, claim.OwnerUserId, gatewayId, Actions.DealerUnlinked, reason, cancellationToken, number);
                if (!await links.UnlinkAsync(gatewayId, number, cancellationToken))
                {
                    return Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.DealerNotLinked);
                }

                var user = context.RequireCurrentUser();
                await history.RecordAsync(new GatewayEvent(gatewayId, GatewayEventKind.DealerUnlinked, time.GetUtcNow(), user.UserId, DealerId: number), cancellationToken);
                if (await dealers.FindAsync(number, cancellationToken) is { } dealer)
                {
                    await mailer.SendUnlinkedAsync(await accounts.FindByUserIdAsync(claim.OwnerUserId, cancellationToken), site, dealer, UnlinkReason.ByCustomer, cancellationToken);
                }

                return TypedResults.NoContent();
            })
            .WithName("OperatorUnlinkDealer").AcceptsForm(form => Reason(form)).Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        operators.MapPost("/accounts/{userId}/lock", async Task<IResult> (
                HttpContext context, string userId, AccountStore accounts, AuditLog audit, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken) =>
                await SetLockAsync(context, userId, locked: true, accounts, audit, time, loggers, cancellationToken))
            .WithName("OperatorLockAccount").AcceptsForm(form => Reason(form)).Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        operators.MapPost("/accounts/{userId}/unlock", async Task<IResult> (
                HttpContext context, string userId, AccountStore accounts, AuditLog audit, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken) =>
                await SetLockAsync(context, userId, locked: false, accounts, audit, time, loggers, cancellationToken))
            .WithName("OperatorUnlockAccount").AcceptsForm(form => Reason(form)).Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>
    /// Locking ends every session at once (a new security stamp) and refuses logins until unlocked; unlocking keeps the
    /// stamp, so the customer logs in again. Doing either twice changes nothing more.
    /// </summary>
    private static async Task<IResult> SetLockAsync(
        HttpContext context, string userId, bool locked, AccountStore accounts, AuditLog audit, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (reason, refusal) = await ReadReasonAsync(context, cancellationToken);
        if (reason is null)
        {
            return refusal!;
        }

        if (locked && userId == context.RequireCurrentUser().UserId)
        {
            return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.SupportCannotLockSelf);
        }

        // Changed meanwhile (a login rehashing its password, say): apply the lock to what it is now.
        var found = await ConflictRetry.RunAsync(
            async _ =>
            {
                if (await accounts.FindByUserIdAsync(userId, cancellationToken) is not { } account)
                {
                    return false;
                }

                if (account.LockedAt is not null != locked)
                {
                    await accounts.ReplaceAsync(
                        locked ? account with { LockedAt = time.GetUtcNow(), SecurityStamp = AccountStore.NewSecurityStamp() } : account with { LockedAt = null },
                        cancellationToken);
                }

                return true;
            },
            cancellationToken);
        if (!found)
        {
            return Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.SupportUserNotFound);
        }

        await RecordAsync(context, audit, time, loggers, userId, "", locked ? Actions.AccountLocked : Actions.AccountUnlocked, reason, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The body's "reason" (required, at most 200 characters), or the 400 to answer.</summary>
    internal static async Task<(string? Reason, IResult? Refusal)> ReadReasonAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return (null, Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed));
        }

        var reason = Reason(form);
        return errors.Any ? (null, errors.ToProblem(context)) : (reason, null);
    }

    /// <summary>The form's "reason": required, at most 200 characters (else a field error).</summary>
    internal static string? Reason(JsonForm form)
    {
        form.Rules("reason", new FieldRules { MaxLength = MaxReasonLength, Description = "Why the operator does this, as told to the customer; written to the customer's audit log." });
        var reason = form.Text("reason");
        if (reason is null)
        {
            form.Errors.TryAdd("reason", MessageKey.Required);
        }
        else if (reason.Length > MaxReasonLength)
        {
            form.Errors.Add("reason", MessageKey.RegistrationTooLong, MaxReasonLength);
            return null;
        }

        return reason;
    }

    internal static async Task RecordAsync(
        HttpContext context, AuditLog audit, TimeProvider time, ILoggerFactory loggers, string customerUserId, string gatewayId, string action, string reason,
        CancellationToken cancellationToken, int? dealerId = null)
    {
        var user = context.RequireCurrentUser();
        await audit.RecordAsync(new AuditEntry(time.GetUtcNow(), customerUserId, user.UserId, dealerId, gatewayId, [], action, reason), cancellationToken);
        LogSupportAction(loggers.CreateLogger(typeof(OperatorSupportApi)), user.UserId, action, customerUserId, gatewayId);
    }

    [LoggerMessage(EventId = 8200, EventName = "OperatorSupportAction", Level = LogLevel.Information, Message = "Operator {UserId}: {Action} for {CustomerUserId} (gateway {GatewayId})")]
    private static partial void LogSupportAction(ILogger logger, string userId, string action, string customerUserId, string gatewayId);
}
