using KpNet.Accounts.Activation;
using KpNet.Accounts.Sessions;
using KpNet.Hosting;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Notifications;
using KpNet.Security;

namespace KpNet.Accounts.Recovery;

/// <summary>
/// "ユーザID・パスワードを忘れた場合": password reset by mailed link + registered phone, and the forgotten user ID mailed
/// to the address on file. Requests are queued and answered 202 at once (<see cref="MailRequests"/>), so neither the
/// answer nor its timing tells who has an account; <see cref="PasswordResetRequests"/> and <see cref="AccountIdRequests"/>
/// decide what to mail.
/// </summary>
public static partial class RecoveryApi
{
    public static IServiceCollection AddRecovery(this IServiceCollection services)
    {
        services.AddSingleton<AccountPhoneIndex>();
        services.AddSingleton<PasswordResetTokens>();
        services.AddSingleton(new StorageTable(AccountPhoneIndex.TableName));
        services.AddSingleton(new StorageTable(PasswordResetTokens.TableName));
        services.AddSingleton<IMailRequestHandler, PasswordResetRequests>();
        services.AddSingleton<IMailRequestHandler, AccountIdRequests>();
        return services;
    }

    public static IEndpointRouteBuilder MapRecovery(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/password-resets", RequestResetAsync).WithName("RequestPasswordReset").AcceptsForm(form => CustomerFields.Email(form, "email"))
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status429TooManyRequests);
        app.MapPost("/api/password-resets/{token}", ResetAsync).WithName("ResetPassword").AcceptsForm(form => ReadNewPassword(form))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status410Gone);
        app.MapPost("/api/account-ids/recovery", RecoverAccountIdAsync).WithName("RecoverAccountId").AcceptsForm(form => ReadAccountIdRequest(form))
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<IResult> RequestResetAsync(HttpContext context, MailRequests requests, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        if (CustomerFields.Email(form, "email") is not { } email)
        {
            return errors.ToProblem(context);
        }

        return await requests.RefuseOrQueueAsync(context, MailRequestKind.PasswordReset, new PasswordResetRequest(email), cancellationToken)
            ?? TypedResults.Accepted((string?)null);
    }

    private static async Task<IResult> ResetAsync(
        string token, HttpContext context, AccountStore accounts, PasswordResetTokens tokens, SecretHasher hasher,
        SignIn signIn, MailComposer composer, EmailOutbox outbox, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        // Unknown and malformed tokens are answered like expired ones (410), so a link's fate is one answer.
        var found = await tokens.FindUsableAsync(token, cancellationToken);
        var account = found is null ? null : await accounts.FindByEmailAsync(found.Email, cancellationToken);
        if (found is null || account is not { Status: AccountStatus.Active })
        {
            return Problems.Create(context, StatusCodes.Status410Gone, MessageKey.ResetLinkGone);
        }

        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var (password, phone) = ReadNewPassword(form);
        if (phone is not null && !PhoneNumber.Matches(phone, PhoneNumber.Digits(account.Phone)))
        {
            errors.Add("phone", MessageKey.PhoneMismatch);
            await tokens.RecordPhoneFailureAsync(found.TokenHash, cancellationToken);
        }

        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        if (!await tokens.TryConsumeAsync(found, cancellationToken))
        {
            return Problems.Create(context, StatusCodes.Status410Gone, MessageKey.ResetLinkGone);
        }

        // A new stamp ends every session minted under the old password.
        var passwordHash = hasher.Hash(password!);
        account = await accounts.ChangeAsync(account, current => current with { PasswordHash = passwordHash, SecurityStamp = AccountStore.NewSecurityStamp() }, cancellationToken);
        await signIn.UnlockAsync(account.Email, ClientAddress.Of(context), cancellationToken);
        var english = account.Language == "en";
        await outbox.EnqueueAsync(composer.Compose(RecoveryMails.PasswordChanged, account.Email, english, new Dictionary<string, string>
        {
            ["name"] = RegistrationMailer.DisplayName(account),
            ["changedAt"] = JapanTime.ForMail(time.GetUtcNow(), english),
            ["loginLink"] = composer.PortalLink("login"),
        }), cancellationToken);
        LogPasswordReset(loggers.CreateLogger(typeof(RecoveryApi)), account.UserId);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RecoverAccountIdAsync(HttpContext context, MailRequests requests, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var (name, phone) = ReadAccountIdRequest(form);
        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        return await requests.RefuseOrQueueAsync(context, MailRequestKind.AccountId, new AccountIdRequest(name!, phone!), cancellationToken)
            ?? TypedResults.Accepted((string?)null);
    }

    /// <summary>{"password","passwordConfirm","phone"}: the new password and the account's phone number, which the caller compares.</summary>
    private static (string? Password, string? Phone) ReadNewPassword(JsonForm form)
    {
        var password = PasswordRule.ReadNew(form);
        var phone = CustomerFields.Required(form, "phone", maxLength: 30);
        return (password, phone);
    }

    /// <summary>{"name":{"family","given"},"phone"}: what the account's ID is looked up by.</summary>
    private static (PersonName? Name, string? Phone) ReadAccountIdRequest(JsonForm form)
    {
        var family = CustomerFields.Required(form, "name.family", CustomerFields.NameMaxLength);
        var given = CustomerFields.Required(form, "name.given", CustomerFields.NameMaxLength);
        var phone = CustomerFields.Phone(form, "phone");
        return (family is null || given is null ? null : new PersonName(family, given), phone);
    }

    [LoggerMessage(EventId = 5112, EventName = "PasswordReset", Level = LogLevel.Information, Message = "User {UserId} set a new password through a reset link; existing sessions are revoked")]
    private static partial void LogPasswordReset(ILogger logger, string userId);
}
