using Azure;
using KpNet.Access;
using KpNet.Accounts.Recovery;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Registration;
using KpNet.Security;
using Microsoft.Extensions.Options;

namespace KpNet.Accounts.Activation;

/// <summary>
/// Runs inside an activation, after the link and the form were accepted and before the account is saved. The dealers
/// feature registers one that assigns the numeric dealer ID to <see cref="ActivationKind.Dealer"/> accounts.
/// </summary>
public interface IActivationStep
{
    Task<Account> OnActivatingAsync(Account account, ActivationKind kind, CancellationToken cancellationToken);
}

/// <summary>
/// What else an account's activation moves. The gateway-access module keeps the customer's provisional claims as long
/// as the current link lives, and makes them the customer's on 本登録.
/// </summary>
public interface IActivationListener
{
    /// <summary>Before a fresh link for a provisional account is stored: what lives as long as the link must now last until <paramref name="expiresAt"/>.</summary>
    Task OnLinkReissuingAsync(Account account, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>After the activated account is saved, before the 本登録完了 mail.</summary>
    Task OnActivatedAsync(Account account, CancellationToken cancellationToken);
}

public abstract record ActivationOutcome
{
    public sealed record Activated(Account Account) : ActivationOutcome;

    public sealed record UnknownLink : ActivationOutcome;

    public sealed record LinkGone : ActivationOutcome;

    public sealed record Invalid(ValidationErrors Errors) : ActivationOutcome;

    public sealed record Throttled(TimeSpan RetryAfter) : ActivationOutcome;
}

public sealed record ActivationLink(ActivationToken Token, Account Account);

/// <summary>本登録: the link, the current terms, a password and the registered phone number as a second factor.</summary>
public sealed class AccountActivation(
    ActivationTokens tokens,
    AccountStore accounts,
    AccountPhoneIndex phoneIndex,
    SecretHasher hasher,
    Throttle throttle,
    RegistrationMailer mailer,
    IEnumerable<IActivationStep> steps,
    IEnumerable<IActivationListener> listeners,
    IOptions<AdminOptions> admin,
    TimeProvider time,
    ILogger<AccountActivation> logger)
{
    /// <summary>Wrong phone numbers per link: the fifth burns the link for its remaining lifetime.</summary>
    public static readonly ThrottleRule PhoneGuesses = new("activation-phone", Limit: 5, Window: ActivationTokens.Lifetime, Lockout: ActivationTokens.Lifetime);

    /// <returns>The link and its account, or the outcome that ends the request (unknown or gone).</returns>
    public async Task<(ActivationLink? Link, ActivationOutcome? Refusal)> OpenAsync(string token, CancellationToken cancellationToken)
    {
        var found = await tokens.FindAsync(token, cancellationToken);
        if (found is null)
        {
            return (null, new ActivationOutcome.UnknownLink());
        }

        var account = await accounts.FindByEmailAsync(found.Email, cancellationToken);
        return account is not null && found.IsUsableFor(account, time.GetUtcNow())
            ? (new ActivationLink(found, account), null)
            : (null, new ActivationOutcome.LinkGone());
    }

    public async Task<ActivationOutcome> ActivateAsync(string token, JsonForm form, CancellationToken cancellationToken)
    {
        var (link, refusal) = await OpenAsync(token, cancellationToken);
        if (link is null)
        {
            return refusal!;
        }

        var (found, account) = link;
        if (await throttle.CheckAsync(PhoneGuesses, found.TokenHash, cancellationToken) is { Allowed: false } blocked)
        {
            logger.ActivationThrottled(account.UserId);
            return new ActivationOutcome.Throttled(blocked.RetryAfter);
        }

        var password = ReadPassword(form);
        var phone = CustomerFields.Required(form, "phone", maxLength: 30);
        if (phone is not null && CustomerFields.PhoneDigits(phone) != account.Phone)
        {
            form.Errors.Add("phone", MessageKey.PhoneMismatch);
            logger.ActivationPhoneMismatch(account.UserId);
            if (await throttle.RecordFailureAsync(PhoneGuesses, found.TokenHash, cancellationToken) is { Allowed: false } nowBlocked)
            {
                logger.ActivationThrottled(account.UserId);
                return new ActivationOutcome.Throttled(nowBlocked.RetryAfter);
            }
        }

        if (form.Errors.Any)
        {
            return new ActivationOutcome.Invalid(form.Errors);
        }

        if (!await tokens.TryUseAsync(found, time.GetUtcNow(), cancellationToken))
        {
            return new ActivationOutcome.LinkGone();
        }

        var activated = await SaveActiveAsync(account, found.Kind, hasher.Hash(password!), TermsOfUse.Version, cancellationToken);
        await phoneIndex.UpsertAsync(activated, cancellationToken);
        foreach (var listener in listeners)
        {
            await listener.OnActivatedAsync(activated, cancellationToken);
        }

        await mailer.SendActivatedAsync(activated, cancellationToken);
        logger.AccountActivated(activated.UserId, activated.Role);
        return new ActivationOutcome.Activated(activated);
    }

    /// <summary>{"termsVersion","password","passwordConfirm"}: the agreement and the password chosen.</summary>
    public static string? ReadPassword(JsonForm form)
    {
        TermsOfUse.ReadAgreement(form);
        return PasswordRule.ReadNew(form);
    }

    // The link is already spent, so the account update must land: re-read and re-apply when it changed meanwhile.
    private async Task<Account> SaveActiveAsync(Account account, ActivationKind kind, string passwordHash, string termsVersion, CancellationToken cancellationToken)
    {
        return await accounts.ChangeAsync(
            account,
            async current =>
            {
                var now = time.GetUtcNow();
                var activated = current with
                {
                    Status = AccountStatus.Active,
                    Role = admin.Value.IsFirstAdmin(current.Email) ? AccountRole.Admin : current.Role,
                    PasswordHash = passwordHash,
                    ActivatedAt = now,
                    TermsVersion = termsVersion,
                    TermsAgreedAt = now,
                    SecurityStamp = AccountStore.NewSecurityStamp(),
                };
                foreach (var step in steps)
                {
                    activated = await step.OnActivatingAsync(activated, kind, cancellationToken);
                }

                return activated;
            },
            cancellationToken);
    }
}
