using Azure;
using KpNet.Hosting;
using KpNet.Security;

namespace KpNet.Accounts.Registration;

public abstract record RegistrationOutcome
{
    /// <summary>202 — also when the address already had an account (that address got a notice instead of a link).</summary>
    public sealed record Accepted(DateTimeOffset ActivationExpiresAt) : RegistrationOutcome;

    public sealed record GatewayRejected(GatewayCheck Check) : RegistrationOutcome;

    public sealed record GatewayTaken : RegistrationOutcome;
}

/// <summary>
/// Customer registration, ordered so that any crash leaves a state a retry completes or the sweep repairs:
/// expiry index row → gateway claim (one owner, by insert) → account (one per address, by insert) → site row →
/// activation token → mail. Losing the address race releases the claim again, so no orphan claim or account remains.
/// </summary>
public sealed class CustomerRegistrar(
    GatewayCredentials credentials,
    GatewayClaims claims,
    RegistrationRelease release,
    AccountStore accounts,
    CustomerSites sites,
    RegistrationExpiries expiries,
    ActivationLinks links,
    RegistrationMailer mailer,
    MailRequestLimits limits,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<CustomerRegistrar> logger)
{
    public async Task<RegistrationOutcome> RegisterAsync(CustomerRegistration form, string language, string clientAddress, CancellationToken cancellationToken)
    {
        var check = await credentials.VerifyAsync(form.GatewayId, form.GatewayPassword, clientAddress, cancellationToken);
        if (check is not GatewayCheck.Verified)
        {
            return new RegistrationOutcome.GatewayRejected(check);
        }

        var expiresAt = links.NewExpiry();
        await expiries.AddAsync(form.GatewayId, expiresAt, cancellationToken);
        var claim = await ClaimAsync(form, expiresAt, cancellationToken);
        if (claim is null)
        {
            logger.GatewayTaken(form.GatewayId);
            return new RegistrationOutcome.GatewayTaken();
        }

        var now = time.GetUtcNow();
        var account = NewAccount(form, claim.OwnerUserId, language, now, expiresAt);
        try
        {
            account = await accounts.InsertAsync(account, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return await AddressTakenAsync(form, claim, expiresAt, cancellationToken);
        }

        await sites.UpsertAsync(SiteOf(form, account.UserId, now), cancellationToken);
        if (await limits.MayMailAsync(account, MailRequestKind.Registration, cancellationToken))
        {
            await links.SendFirstAsync(account, ActivationKind.Customer, cancellationToken);
        }

        logger.CustomerRegistered(account.UserId, form.GatewayId);
        return new RegistrationOutcome.Accepted(expiresAt);
    }

    /// <summary>
    /// The new claim; or the claim this address already holds on the gateway (a retried or repeated registration);
    /// or null when another account holds it. An expired provisional claim is released and claimed afresh.
    /// </summary>
    private async Task<GatewayClaim?> ClaimAsync(CustomerRegistration form, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var claim = new GatewayClaim(form.GatewayId, Guid.NewGuid().ToString("N"), form.Email, ClaimStatus.Provisional, time.GetUtcNow(), expiresAt, default);
            if (await claims.TryInsertAsync(claim, cancellationToken) is { } inserted)
            {
                return inserted;
            }

            var existing = await claims.FindAsync(form.GatewayId, cancellationToken);
            if (existing is { Status: ClaimStatus.Provisional } && existing.IsOwnedBy(form.Email))
            {
                return existing;
            }

            if (existing is not null && !await release.TryReleaseAsync(existing, cancellationToken))
            {
                return null;
            }
        }

        return null;
    }

    private async Task<RegistrationOutcome> AddressTakenAsync(
        CustomerRegistration form, GatewayClaim claim, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var current = await accounts.FindByEmailAsync(form.Email, cancellationToken);
        if (current is not null && current.UserId == claim.OwnerUserId)
        {
            // This address registered this gateway before: a retry, or a user whose mail got lost. A fresh link.
            if (current.Status == AccountStatus.Provisional)
            {
                await sites.UpsertAsync(SiteOf(form, current.UserId, time.GetUtcNow()), cancellationToken);
                var reissued = await limits.MayMailAsync(current, MailRequestKind.Registration, cancellationToken)
                    ? await links.ReissueAsync(current, ActivationKind.Customer, cancellationToken)
                    : null;
                return new RegistrationOutcome.Accepted(reissued ?? expiresAt);
            }

            await claims.TryActivateAsync(claim, cancellationToken);
        }
        else
        {
            await claims.TryDeleteAsync(claim, cancellationToken);
        }

        logger.AddressTaken(current?.UserId, form.GatewayId);
        if (current is not null && await limits.MayMailAsync(current, MailRequestKind.Registration, cancellationToken))
        {
            await mailer.SendAlreadyRegisteredAsync(current, cancellationToken);
        }

        return new RegistrationOutcome.Accepted(expiresAt);
    }

    private Account NewAccount(CustomerRegistration form, string userId, string language, DateTimeOffset now, DateTimeOffset expiresAt) => new()
    {
        UserId = userId,
        Email = form.Email,
        Role = IsFirstAdmin(configuration, form.Email) ? AccountRole.Admin : AccountRole.Customer,
        Status = AccountStatus.Provisional,
        Name = form.Name,
        Kana = form.Kana,
        Phone = form.Phone,
        Address = form.Address,
        Company = form.Company,
        TermsVersion = form.TermsVersion,
        TermsAgreedAt = now,
        SecurityStamp = AccountStore.NewSecurityStamp(),
        CreatedAt = now,
        ActivationExpiresAt = expiresAt,
        Language = language,
    };

    /// <summary>The operator's first account: registering (or activating) with Admin__FirstAdminEmail yields the admin role.</summary>
    public static bool IsFirstAdmin(IConfiguration configuration, string email) =>
        configuration[AppSettings.FirstAdminEmail.Key] is { Length: > 0 } admin && EmailKey.For(admin) == EmailKey.For(email);

    private static CustomerSite SiteOf(CustomerRegistration form, string userId, DateTimeOffset now) =>
        new(userId, form.GatewayId, form.SiteName, form.SiteAddress, form.GridConnectionDate, now);
}
