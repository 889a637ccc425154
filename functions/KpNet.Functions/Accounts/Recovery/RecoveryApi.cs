using System.Text;
using Azure;
using KpNet.Accounts.Registration;
using KpNet.Accounts.Sessions;
using KpNet.Hosting;
using KpNet.Http;
using KpNet.Notifications;
using KpNet.Security;

namespace KpNet.Accounts.Recovery;

/// <summary>
/// "ユーザID・パスワードを忘れた場合": password reset by mailed link + registered phone, and the forgotten user ID mailed
/// to the address on file. Requests are answered 202 whether or not an account matches, after the same work
/// (token generated and hashed, throttle counted), so neither the answer nor its timing tells who has an account.
/// </summary>
public static partial class RecoveryApi
{
    public static IServiceCollection AddRecovery(this IServiceCollection services)
    {
        services.AddSingleton<AccountPhoneIndex>();
        services.AddSingleton<PasswordResetTokens>();
        services.AddSingleton(new StorageTable(AccountPhoneIndex.TableName));
        services.AddSingleton(new StorageTable(PasswordResetTokens.TableName));
        return services;
    }

    public static IEndpointRouteBuilder MapRecovery(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/password-resets", RequestResetAsync).WithName("RequestPasswordReset");
        app.MapPost("/api/password-resets/{token}", ResetAsync).WithName("ResetPassword");
        app.MapPost("/api/account-ids/recovery", RecoverAccountIdAsync).WithName("RecoverAccountId");
        return app;
    }

    private static async Task<IResult> RequestResetAsync(
        HttpContext context, AccountStore accounts, PasswordResetTokens tokens, MailRequestLimits limits,
        MailComposer composer, EmailOutbox outbox, ILoggerFactory loggers, CancellationToken cancellationToken)
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

        if (await limits.ClientRefusalAsync(MailRequestKind.PasswordReset, ClientAddress.Of(context), cancellationToken) is { } wait)
        {
            return Problems.TooManyAttempts(context, wait);
        }

        var token = SecureToken.Create();
        var tokenHash = SecureToken.Hash(token);
        var log = loggers.CreateLogger(typeof(RecoveryApi));
        if (await accounts.FindByEmailAsync(email, cancellationToken) is { Status: AccountStatus.Active } account
            && await limits.MayMailAsync(account, MailRequestKind.PasswordReset, cancellationToken))
        {
            var expiresAt = await tokens.StoreAsync(tokenHash, account, cancellationToken);
            var english = account.Language == "en";
            await outbox.EnqueueAsync(composer.Compose(RecoveryMails.PasswordReset, account.Email, english, new Dictionary<string, string>
            {
                ["name"] = FullName(account.Name),
                ["link"] = composer.PortalLink("reset-password", token),
                ["expiresAt"] = RecoveryMails.JapanTime(expiresAt, english),
            }), cancellationToken);
            LogResetMailed(log, account.UserId);
        }
        else
        {
            LogResetNotMailed(log);
        }

        return TypedResults.Accepted((string?)null);
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

        var password = form.RawText("password");
        var confirmation = form.RawText("passwordConfirm");
        var phone = CustomerFields.Required(form, "phone", maxLength: 30);
        if (password is null)
        {
            errors.TryAdd("password", MessageKey.Required);
        }
        else if (!PasswordRule.IsSatisfiedBy(password))
        {
            errors.Add("password", MessageKey.PasswordRule);
        }

        if (confirmation != password)
        {
            errors.TryAdd("passwordConfirm", MessageKey.PasswordConfirmMismatch);
        }

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

        account = await ChangePasswordAsync(accounts, account, hasher.Hash(password!), cancellationToken);
        await signIn.UnlockAsync(account.Email, ClientAddress.Of(context), cancellationToken);
        var english = account.Language == "en";
        await outbox.EnqueueAsync(composer.Compose(RecoveryMails.PasswordChanged, account.Email, english, new Dictionary<string, string>
        {
            ["name"] = FullName(account.Name),
            ["changedAt"] = RecoveryMails.JapanTime(time.GetUtcNow(), english),
            ["loginLink"] = composer.PortalLink("login"),
        }), cancellationToken);
        LogPasswordReset(loggers.CreateLogger(typeof(RecoveryApi)), account.UserId);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RecoverAccountIdAsync(
        HttpContext context, AccountStore accounts, AccountPhoneIndex phoneIndex, MailRequestLimits limits,
        MailComposer composer, EmailOutbox outbox, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var family = CustomerFields.Required(form, "name.family", CustomerFields.NameMaxLength);
        var given = CustomerFields.Required(form, "name.given", CustomerFields.NameMaxLength);
        var phone = CustomerFields.Phone(form, "phone");
        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        if (await limits.ClientRefusalAsync(MailRequestKind.AccountId, ClientAddress.Of(context), cancellationToken) is { } wait)
        {
            return Problems.TooManyAttempts(context, wait);
        }

        var log = loggers.CreateLogger(typeof(RecoveryApi));
        var match = await FindSingleAsync(accounts, phoneIndex, family!, given!, phone!, cancellationToken);
        if (match is null || !await limits.MayMailAsync(match, MailRequestKind.AccountId, cancellationToken))
        {
            LogAccountIdNotMailed(log);
            return TypedResults.Accepted((string?)null);
        }

        var english = match.Language == "en";
        await outbox.EnqueueAsync(composer.Compose(RecoveryMails.AccountId, match.Email, english, new Dictionary<string, string>
        {
            ["name"] = FullName(match.Name),
            ["email"] = match.Email,
            ["loginLink"] = composer.PortalLink("login"),
        }), cancellationToken);
        LogAccountIdMailed(log, match.UserId);
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>The one active account with this name and phone, confirmed against the account rows (index rows may be stale).</summary>
    private static async Task<Account?> FindSingleAsync(
        AccountStore accounts, AccountPhoneIndex phoneIndex, string family, string given, string phone, CancellationToken cancellationToken)
    {
        var matches = new List<Account>();
        foreach (var entry in await phoneIndex.FindAsync(phone, cancellationToken))
        {
            if (Normalize(entry.Name.Family) == family && Normalize(entry.Name.Given) == given
                && await accounts.FindByEmailAsync(entry.Email, cancellationToken) is { Status: AccountStatus.Active } account
                && account.UserId == entry.UserId && PhoneNumber.Digits(account.Phone) == phone
                && Normalize(account.Name.Family) == family && Normalize(account.Name.Given) == given)
            {
                matches.Add(account);
            }
        }

        return matches.Count == 1 ? matches[0] : null;
    }

    // A new stamp ends every session minted under the old password; a concurrent change to the account is re-read and redone.
    private static async Task<Account> ChangePasswordAsync(AccountStore accounts, Account account, string passwordHash, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await accounts.ReplaceAsync(account with { PasswordHash = passwordHash, SecurityStamp = AccountStore.NewSecurityStamp() }, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 10)
            {
                account = await accounts.FindByEmailAsync(account.Email, cancellationToken) ?? throw new InvalidOperationException("The account vanished during a password reset.", e);
            }
        }
    }

    private static string Normalize(string? text) => (text ?? "").Normalize(NormalizationForm.FormKC).Trim();

    private static string FullName(PersonName name) => $"{name.Family} {name.Given}".Trim();

    [LoggerMessage(EventId = 5110, EventName = "PasswordResetMailed", Level = LogLevel.Information, Message = "A password reset link was mailed to user {UserId}")]
    private static partial void LogResetMailed(ILogger logger, string userId);

    [LoggerMessage(EventId = 5111, EventName = "PasswordResetNotMailed", Level = LogLevel.Information, Message = "A password reset request sent no mail (no active account, or its address had its mails this hour)")]
    private static partial void LogResetNotMailed(ILogger logger);

    [LoggerMessage(EventId = 5112, EventName = "PasswordReset", Level = LogLevel.Information, Message = "User {UserId} set a new password through a reset link; existing sessions are revoked")]
    private static partial void LogPasswordReset(ILogger logger, string userId);

    [LoggerMessage(EventId = 5120, EventName = "AccountIdMailed", Level = LogLevel.Information, Message = "The user ID of user {UserId} was mailed to its address")]
    private static partial void LogAccountIdMailed(ILogger logger, string userId);

    [LoggerMessage(EventId = 5121, EventName = "AccountIdNotMailed", Level = LogLevel.Information, Message = "A user ID request matched no single active account (or was over its limit)")]
    private static partial void LogAccountIdNotMailed(ILogger logger);
}
