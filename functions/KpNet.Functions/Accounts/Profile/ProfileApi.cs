using KpNet.Accounts.Activation;
using KpNet.Accounts.Recovery;
using KpNet.Accounts.Sessions;
using KpNet.Audit;
using KpNet.Hosting;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Notifications;
using KpNet.Security;

namespace KpNet.Accounts.Profile;

/// <summary>
/// 登録情報の変更: the signed-in customer changes their registration data (PUT /api/me/profile), their e-mail address,
/// which is their login ID (POST /api/me/email-change, confirmed through the link mailed to the new address:
/// POST /api/email-changes/{token}), and their password (PUT /api/me/password). Every change is confirmed with the
/// current password (the second factor of a session that may have been left open), and the customer is told by mail.
/// </summary>
public static partial class ProfileApi
{
    /// <summary>Requests to change the address, per account: each mails two addresses, one of them anybody's.</summary>
    public static readonly ThrottleRule EmailChangeRequests = new("email-change-requests", 5, TimeSpan.FromHours(1), TimeSpan.FromHours(1));

    public sealed record EmailChanged(string Email);

    private sealed record Details(PersonName Name, PersonName Kana, PostalAddress Address, string Phone, Company? Company);

    public static IServiceCollection AddProfile(this IServiceCollection services)
    {
        services.AddSingleton<EmailChangeTokens>();
        services.AddSingleton(new StorageTable(EmailChangeTokens.TableName));
        return services;
    }

    public static IEndpointRouteBuilder MapProfile(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me/profile", async (HttpContext context, AccountStore accounts, CancellationToken cancellationToken) =>
                await accounts.FindByEmailAsync(context.RequireCurrentUser().Email, cancellationToken) is { } account
                    ? ProfileVersion.Answer(context, SessionsApi.ProfileOf(account))
                    : Problems.Create(context, StatusCodes.Status401Unauthorized, MessageKey.Unauthenticated))
            .WithName("ReadProfile").RequireSession(AccountRoles.Owners).Produces<SessionsApi.Profile>().WithProfileVersion(checksIfMatch: false);
        app.MapPut("/api/me/profile", ChangeDetailsAsync).WithName("ChangeProfile").RequireSession(AccountRoles.Owners)
            .AcceptsForm(form => ReadDetails(form)).Produces<SessionsApi.Profile>().ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).WithProfileVersion(checksIfMatch: true);
        app.MapPost("/api/me/email-change", RequestEmailChangeAsync).WithName("RequestEmailChange").RequireSession(AccountRoles.Owners)
            .AcceptsForm(form => ReadEmailChange(form)).Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status429TooManyRequests);
        app.MapPost("/api/email-changes/{token}", ConfirmEmailChangeAsync).WithName("ConfirmEmailChange").TakesNoBody()
            .Produces<EmailChanged>().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status410Gone);
        app.MapPut("/api/me/password", ChangePasswordAsync).WithName("ChangePassword").RequireSession(AccountRoles.Owners)
            .AcceptsForm(form => ReadPasswordChange(form)).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status429TooManyRequests);
        app.MapGet("/api/me/audit-log", async (HttpContext context, AuditLog log, IDealerNames dealers, CancellationToken cancellationToken) =>
                TypedResults.Ok(await AuditViews.ViewsAsync(await log.ListAsync(context.RequireCurrentUser().UserId, cancellationToken), dealers, forOperator: false, cancellationToken)))
            .WithName("MyAuditLog").RequireSession(AccountRoles.Owners).Produces<List<AuditViews.AuditEntryView>>();
        return app;
    }

    private static async Task<IResult> ChangeDetailsAsync(
        HttpContext context, AccountStore accounts, SignIn signIn, AccountPhoneIndex phoneIndex, IEnumerable<ICustomerNameListener> nameListeners,
        MailComposer composer, EmailOutbox outbox, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var (details, currentPassword) = ReadDetails(form);
        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        var (account, refusal) = await ConfirmedAccountAsync(context, accounts, signIn, currentPassword!, cancellationToken);
        if (account is null)
        {
            return refusal!;
        }

        // Checked against the account as each attempt of the change reads it, so a change landing in between is seen too.
        var ifMatch = context.Request.GetTypedHeaders().IfMatch;
        var formerPhones = new HashSet<string> { account.Phone };
        Account? before = null;
        Account changed;
        try
        {
            changed = await accounts.ChangeAsync(account, current =>
            {
                if (!ProfileVersion.Satisfies(ifMatch, SessionsApi.ProfileOf(current)))
                {
                    throw new ChangedMeanwhileException();
                }

                before = current;
                formerPhones.Add(current.Phone);
                return current with { Name = details!.Name, Kana = details.Kana, Address = details.Address, Phone = details.Phone, Company = details.Company };
            }, cancellationToken);
        }
        catch (ChangedMeanwhileException)
        {
            LogProfileChangeRefusedAsStale(loggers.CreateLogger(typeof(ProfileApi)), account.UserId);
            return Problems.Create(context, StatusCodes.Status412PreconditionFailed, MessageKey.ProfileChangedMeanwhile);
        }

        var fields = ChangedFields(before!, changed);
        await phoneIndex.UpsertAsync(changed, cancellationToken);
        foreach (var formerPhone in formerPhones.Where(phone => phone != changed.Phone))
        {
            await phoneIndex.RemoveAsync(formerPhone, changed.UserId, cancellationToken);
        }

        // A concurrent change that wrote the account after this one removes this one's phone row, unless this row was
        // written after its removal: then this change, reading the account after its own row, sees it is not the latest.
        if (await accounts.FindByEmailAsync(changed.Email, cancellationToken) is { } latest && latest.Phone != changed.Phone)
        {
            await phoneIndex.RemoveAsync(changed.Phone, changed.UserId, cancellationToken);
        }

        if (fields.Contains(ProfileField.Name) || fields.Contains(ProfileField.Company))
        {
            foreach (var listener in nameListeners)
            {
                await listener.CustomerNameChangedAsync(changed, cancellationToken);
            }
        }

        if (fields.Count > 0)
        {
            var english = changed.Language == "en";
            await outbox.EnqueueAsync(composer.Compose(ProfileMails.ProfileChanged, changed.Email, english, new Dictionary<string, string>
            {
                ["name"] = RegistrationMailer.DisplayName(changed),
                ["fields"] = string.Join(english ? ", " : "・", fields.Select(field => FieldLabel(field, english))),
                ["changedAt"] = JapanTime.ForMail(time.GetUtcNow(), english),
            }), cancellationToken);
        }

        LogProfileChanged(loggers.CreateLogger(typeof(ProfileApi)), changed.UserId, string.Join(',', fields));
        return ProfileVersion.Answer(context, SessionsApi.ProfileOf(changed));
    }

    private static async Task<IResult> RequestEmailChangeAsync(
        HttpContext context, AccountStore accounts, SignIn signIn, Throttle throttle, EmailChangeTokens tokens, MailComposer composer,
        EmailOutbox outbox, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var (newEmail, currentPassword) = ReadEmailChange(form);
        if (newEmail is not null && EmailKey.For(newEmail) == EmailKey.For(context.RequireCurrentUser().Email))
        {
            errors.Add("email", MessageKey.EmailChangeSameAddress);
        }

        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        var (account, refusal) = await ConfirmedAccountAsync(context, accounts, signIn, currentPassword!, cancellationToken);
        if (account is null)
        {
            return refusal!;
        }

        if (await throttle.TryTakeAsync(EmailChangeRequests, account.UserId, cancellationToken) is { Allowed: false } throttled)
        {
            return Problems.TooManyAttempts(context, throttled.RetryAfter);
        }

        // Whether another account has the address is told to that address only: the answer is the same either way, as
        // a registration's is (the confirmation would be refused anyway, should the address be taken by then).
        var english = account.Language == "en";
        var name = RegistrationMailer.DisplayName(account);
        var log = loggers.CreateLogger(typeof(ProfileApi));
        // A row of this very account under the new address is a move that failed midway: confirming again completes it.
        if (await accounts.FindByEmailAsync(newEmail!, cancellationToken) is { } holder && holder.UserId != account.UserId)
        {
            await outbox.EnqueueAsync(composer.Compose(ProfileMails.EmailChangeAddressTaken, newEmail!, english, new Dictionary<string, string>()), cancellationToken);
            LogEmailChangeAddressTaken(log, account.UserId);
        }
        else
        {
            var (token, expiresAt) = await tokens.IssueAsync(account, newEmail!, cancellationToken);
            await outbox.EnqueueAsync(composer.Compose(ProfileMails.EmailChangeConfirmation, newEmail!, english, new Dictionary<string, string>
            {
                ["name"] = name,
                ["link"] = composer.PortalLink("email-change", token),
                ["expiresAt"] = JapanTime.ForMail(expiresAt, english),
            }), cancellationToken);
            LogEmailChangeRequested(log, account.UserId);
        }

        await outbox.EnqueueAsync(composer.Compose(ProfileMails.EmailChangeRequested, account.Email, english, new Dictionary<string, string>
        {
            ["name"] = name,
            ["changedAt"] = JapanTime.ForMail(time.GetUtcNow(), english),
        }), cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>
    /// Follows the link mailed to the new address (no session needed: the link proves the mailbox). The account moves to
    /// the new address; every session ends with the old login ID, so the customer logs in again with the new one.
    /// </summary>
    private static async Task<IResult> ConfirmEmailChangeAsync(
        string token, HttpContext context, AccountStore accounts, EmailChangeTokens tokens, AccountPhoneIndex phoneIndex,
        MailComposer composer, EmailOutbox outbox, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var change = await tokens.FindUsableAsync(token, cancellationToken);
        // The link is for the account still at the address it was asked from (by its row there, not the user ID's index,
        // which a move that stopped midway already points at the new address).
        var account = change is null ? null : await accounts.FindByEmailAsync(change.OldEmail, cancellationToken);
        if (change is null || account is not { Status: AccountStatus.Active } || account.UserId != change.UserId
            || !await tokens.TryUseAsync(change, cancellationToken))
        {
            return Problems.Create(context, StatusCodes.Status410Gone, MessageKey.EmailChangeLinkGone);
        }

        var log = loggers.CreateLogger(typeof(ProfileApi));
        Account moved;
        try
        {
            moved = await accounts.MoveAsync(account, change.NewEmail, AccountStore.NewSecurityStamp(), cancellationToken);
        }
        catch (global::Azure.RequestFailedException e) when (e.Status == 409)
        {
            LogEmailChangeAddressTaken(log, account.UserId);
            return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.EmailChangeAddressTaken);
        }

        await phoneIndex.UpsertAsync(moved, cancellationToken);
        var english = account.Language == "en";
        await outbox.EnqueueAsync(composer.Compose(ProfileMails.EmailChanged, account.Email, english, new Dictionary<string, string>
        {
            ["name"] = RegistrationMailer.DisplayName(moved),
            ["changedAt"] = JapanTime.ForMail(time.GetUtcNow(), english),
        }), cancellationToken);
        SessionAuthentication.ClearCookie(context);
        LogEmailChanged(log, moved.UserId);
        return TypedResults.Ok(new EmailChanged(moved.Email));
    }

    private static async Task<IResult> ChangePasswordAsync(
        HttpContext context, AccountStore accounts, SignIn signIn, SessionStore sessions, SecretHasher hasher,
        MailComposer composer, EmailOutbox outbox, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var (password, currentPassword) = ReadPasswordChange(form);
        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        var (account, refusal) = await ConfirmedAccountAsync(context, accounts, signIn, currentPassword!, cancellationToken);
        if (account is null)
        {
            return refusal!;
        }

        // A new stamp ends every session minted under the old one; the caller's own is carried over to it.
        var passwordHash = hasher.Hash(password!);
        var stamp = AccountStore.NewSecurityStamp();
        account = await accounts.ChangeAsync(account, current => current with { PasswordHash = passwordHash, SecurityStamp = stamp }, cancellationToken);
        await sessions.RestampAsync(context.RequireCurrentUser().SessionTokenHash, stamp, cancellationToken);
        var english = account.Language == "en";
        await outbox.EnqueueAsync(composer.Compose(ProfileMails.PasswordChanged, account.Email, english, new Dictionary<string, string>
        {
            ["name"] = RegistrationMailer.DisplayName(account),
            ["changedAt"] = JapanTime.ForMail(time.GetUtcNow(), english),
        }), cancellationToken);
        LogPasswordChanged(loggers.CreateLogger(typeof(ProfileApi)), account.UserId);
        return TypedResults.NoContent();
    }

    /// <summary>The caller's account once its current password is confirmed; otherwise the answer to give (400 on the field, 429).</summary>
    private static async Task<(Account? Account, IResult? Refusal)> ConfirmedAccountAsync(
        HttpContext context, AccountStore accounts, SignIn signIn, string currentPassword, CancellationToken cancellationToken)
    {
        if (await accounts.FindByEmailAsync(context.RequireCurrentUser().Email, cancellationToken) is not { } account)
        {
            return (null, Problems.Create(context, StatusCodes.Status401Unauthorized, MessageKey.Unauthenticated));
        }

        return await signIn.ConfirmPasswordAsync(account, currentPassword, ClientAddress.Of(context), cancellationToken) switch
        {
            SignInResult.Succeeded => (account, null),
            SignInResult.Locked { RetryAfter: var retryAfter } => (null, Problems.TooManyAttempts(context, retryAfter)),
            _ => (null, new ValidationErrors().Add(CurrentPasswordPath, MessageKey.CurrentPasswordWrong).ToProblem(context)),
        };
    }

    private const string CurrentPasswordPath = "currentPassword";

    /// <summary>The current password, as typed; checked against the account by the caller.</summary>
    private static string? ReadCurrentPassword(JsonForm form)
    {
        form.Rules(CurrentPasswordPath, new FieldRules { MaxLength = 64, Description = "The account's current password, confirming the change." });
        var password = form.RawText(CurrentPasswordPath);
        if (password is null)
        {
            form.Errors.TryAdd(CurrentPasswordPath, MessageKey.Required);
        }
        else if (password.Length > 64)
        {
            form.Errors.Add(CurrentPasswordPath, MessageKey.RegistrationTooLong, 64);
            return null;
        }

        return password;
    }

    /// <summary>
    /// {"currentPassword","name","kana","postalCode","prefecture","city","street","phone","company"}: the registration
    /// form's customer fields under the registration's rules, whole (what is sent replaces what is stored).
    /// </summary>
    private static (Details? Details, string? CurrentPassword) ReadDetails(JsonForm form)
    {
        var currentPassword = ReadCurrentPassword(form);
        var family = CustomerFields.PersonName(form, "name.family");
        var given = CustomerFields.PersonName(form, "name.given");
        var kanaFamily = CustomerFields.Kana(form, "kana.family");
        var kanaGiven = CustomerFields.Kana(form, "kana.given");
        var address = CustomerFields.Address(form, "");
        var phone = CustomerFields.Phone(form, "phone");
        var company = CustomerFields.Company(form, "company.");
        return form.Errors.Any
            ? (null, currentPassword)
            : (new Details(new PersonName(family!, given!), new PersonName(kanaFamily!, kanaGiven!), address!, phone!, company), currentPassword);
    }

    /// <summary>{"currentPassword","email","emailConfirm"}: the new address, typed twice.</summary>
    private static (string? Email, string? CurrentPassword) ReadEmailChange(JsonForm form)
    {
        var currentPassword = ReadCurrentPassword(form);
        var email = CustomerFields.Email(form, "email");
        CustomerFields.EmailConfirmation(form, "emailConfirm", email);
        return (email, currentPassword);
    }

    /// <summary>{"currentPassword","password","passwordConfirm"}.</summary>
    private static (string? Password, string? CurrentPassword) ReadPasswordChange(JsonForm form)
    {
        var currentPassword = ReadCurrentPassword(form);
        return (PasswordRule.ReadNew(form), currentPassword);
    }

    private enum ProfileField
    {
        Name,
        Kana,
        Address,
        Phone,
        Company,
    }

    private static List<ProfileField> ChangedFields(Account before, Account after)
    {
        var fields = new List<ProfileField>();
        if (before.Name != after.Name)
        {
            fields.Add(ProfileField.Name);
        }

        if (before.Kana != after.Kana)
        {
            fields.Add(ProfileField.Kana);
        }

        if (before.Address != after.Address)
        {
            fields.Add(ProfileField.Address);
        }

        if (before.Phone != after.Phone)
        {
            fields.Add(ProfileField.Phone);
        }

        if (before.Company != after.Company)
        {
            fields.Add(ProfileField.Company);
        }

        return fields;
    }

    private static string FieldLabel(ProfileField field, bool english) => field switch
    {
        ProfileField.Name => english ? "name" : "氏名",
        ProfileField.Kana => english ? "name in katakana" : "フリガナ",
        ProfileField.Address => english ? "address" : "住所",
        ProfileField.Phone => english ? "phone number" : "電話番号",
        _ => english ? "company" : "法人様情報",
    };

    /// <summary>The data the change was made from is no longer the stored data (If-Match): nothing is written.</summary>
    private sealed class ChangedMeanwhileException : Exception;

    [LoggerMessage(EventId = 5130, EventName = "ProfileChanged", Level = LogLevel.Information, Message = "User {UserId} changed their registration data ({Fields})")]
    private static partial void LogProfileChanged(ILogger logger, string userId, string fields);

    [LoggerMessage(EventId = 5135, EventName = "ProfileChangeRefusedAsStale", Level = LogLevel.Information, Message = "User {UserId} sent a change of their registration data made from an older version (If-Match); nothing was changed")]
    private static partial void LogProfileChangeRefusedAsStale(ILogger logger, string userId);

    [LoggerMessage(EventId = 5131, EventName = "EmailChangeRequested", Level = LogLevel.Information, Message = "User {UserId} asked to change their e-mail address; a confirmation link went to the new address")]
    private static partial void LogEmailChangeRequested(ILogger logger, string userId);

    [LoggerMessage(EventId = 5132, EventName = "EmailChangeAddressTaken", Level = LogLevel.Information, Message = "User {UserId} asked for an address another account has; nothing was changed")]
    private static partial void LogEmailChangeAddressTaken(ILogger logger, string userId);

    [LoggerMessage(EventId = 5133, EventName = "EmailChanged", Level = LogLevel.Information, Message = "User {UserId} confirmed a new e-mail address; existing sessions are ended")]
    private static partial void LogEmailChanged(ILogger logger, string userId);

    [LoggerMessage(EventId = 5134, EventName = "PasswordChanged", Level = LogLevel.Information, Message = "User {UserId} changed their password; other sessions are ended")]
    private static partial void LogPasswordChanged(ILogger logger, string userId);
}
