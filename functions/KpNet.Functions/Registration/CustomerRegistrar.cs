using Azure;
using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Notifications;
using KpNet.Security;
using Microsoft.Extensions.Options;

namespace KpNet.Registration;

public abstract record RegistrationOutcome
{
    /// <summary>202, the gateway claimed and the rest queued, whatever the address (<see cref="CustomerRegistrar.CompleteAsync"/>).</summary>
    public sealed record Accepted(DateTimeOffset ActivationExpiresAt) : RegistrationOutcome;

    public sealed record GatewayRejected(GatewayCheck Check) : RegistrationOutcome;

    public sealed record GatewayTaken : RegistrationOutcome;
}

/// <summary>POST /api/accounts as queued once its gateway is claimed: <see cref="UserId"/> owns the claim.</summary>
/// <param name="InProgress">Its record in <see cref="InterruptedRegistrations"/>, ended once the queued part is done.</param>
public sealed record CustomerRegistrationRequest(
    string UserId, string Language, DateTimeOffset ActivationExpiresAt, CustomerRegistration Form, RegistrationInProgress InProgress);

/// <summary>
/// Customer registration, ordered so that any crash leaves a state a retry completes or the sweep repairs. While the caller
/// waits, only what the gateway decides: its credentials → expiry index row → gateway claim (one owner, by insert) → the rest
/// queued, so whether the address has an account changes neither the answer nor the work behind it. Then, queued: account
/// (one per address, by insert) → site row → activation token → mail. An address that has an account gets a notice instead,
/// and the claim made for it lapses at its deadline like any registration never activated (its owner can add the gateway
/// after logging in). Each is recorded in <see cref="InterruptedRegistrations"/> from before its first write until its
/// queued part is done, so one that storage stops midway is completed or undone within minutes instead of holding the
/// gateway for the link's lifetime.
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
    MailRequests requests,
    MailRequestLimits limits,
    InterruptedRegistrations inProgress,
    IOptions<AdminOptions> admin,
    TimeProvider time,
    ILogger<CustomerRegistrar> logger)
{
    public async Task<RegistrationOutcome> RegisterAsync(
        CustomerRegistration form, string gatewayPassword, string language, string clientAddress, CancellationToken cancellationToken)
    {
        var check = await credentials.VerifyAsync(form.GatewayId, gatewayPassword, clientAddress, cancellationToken);
        if (check is not GatewayCheck.Verified)
        {
            return new RegistrationOutcome.GatewayRejected(check);
        }

        var registration = await inProgress.BeginAsync(form.GatewayId, form.Email, cancellationToken);
        var expiresAt = links.NewExpiry();
        await expiries.AddAsync(form.GatewayId, expiresAt, cancellationToken);
        var claim = await ClaimAsync(form, expiresAt, cancellationToken);
        if (claim is null)
        {
            logger.GatewayTaken(form.GatewayId);
            await inProgress.EndAsync(registration, cancellationToken);
            return new RegistrationOutcome.GatewayTaken();
        }

        await requests.QueueAsync(
            MailRequestKind.Registration, new CustomerRegistrationRequest(claim.OwnerUserId, language, expiresAt, form, registration), cancellationToken);
        return new RegistrationOutcome.Accepted(expiresAt);
    }

    /// <summary>The queued part: the account, its site and its first link; or, for an address that has an account, a notice.</summary>
    public async Task CompleteAsync(CustomerRegistrationRequest request, CancellationToken cancellationToken)
    {
        await CompleteClaimedAsync(request, cancellationToken);
        await inProgress.EndAsync(request.InProgress, cancellationToken);
    }

    private async Task CompleteClaimedAsync(CustomerRegistrationRequest request, CancellationToken cancellationToken)
    {
        var form = request.Form;
        var now = time.GetUtcNow();
        var claim = await claims.FindAsync(form.GatewayId, cancellationToken) ?? await ClaimAgainAsync(request, now, cancellationToken);
        if (claim is null || claim.OwnerUserId != request.UserId)
        {
            logger.RegistrationLapsed(request.UserId, form.GatewayId);
            return;
        }

        Account account;
        try
        {
            account = await accounts.InsertAsync(NewAccount(form, request.UserId, request.Language, now, request.ActivationExpiresAt), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            await AddressTakenAsync(form, claim, cancellationToken);
            return;
        }

        await sites.UpsertAsync(SiteOf(form, account.UserId, now), cancellationToken);
        if (await limits.MayMailAsync(account.Email, account.UserId, MailRequestKind.Registration, cancellationToken))
        {
            await links.SendFirstAsync(account, ActivationKind.Customer, cancellationToken);
        }

        logger.CustomerRegistered(account.UserId, form.GatewayId);
    }

    /// <summary>
    /// The caller was answered 202, but its claim is gone: the repair released it while this part waited longer than a
    /// registration takes (an instance that died holding its message keeps it from the others for 10 minutes). The
    /// gateway is still free, so the answer is kept: it is claimed again, as the request did, with the same deadline.
    /// </summary>
    private async Task<GatewayClaim?> ClaimAgainAsync(CustomerRegistrationRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var gatewayId = request.Form.GatewayId;
        await expiries.AddAsync(gatewayId, request.ActivationExpiresAt, cancellationToken);
        var claim = await claims.TryInsertAsync(
            new GatewayClaim(gatewayId, request.UserId, request.Form.Email, ClaimStatus.Provisional, now, request.ActivationExpiresAt, default), cancellationToken);
        if (claim is not null)
        {
            logger.RegistrationReclaimed(request.UserId, gatewayId);
        }

        return claim;
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

    private async Task AddressTakenAsync(CustomerRegistration form, GatewayClaim claim, CancellationToken cancellationToken)
    {
        var current = await accounts.FindByEmailAsync(form.Email, cancellationToken);
        logger.AddressTaken(current?.UserId, form.GatewayId);
        if (current is null)
        {
            return;
        }

        if (current.UserId == claim.OwnerUserId)
        {
            // This address registered this gateway before: a retry, or a user whose mail got lost. A fresh link.
            if (current.Status == AccountStatus.Provisional)
            {
                await sites.UpsertAsync(SiteOf(form, current.UserId, time.GetUtcNow()), cancellationToken);
                if (await limits.MayMailAsync(current.Email, current.UserId, MailRequestKind.Registration, cancellationToken))
                {
                    await links.ReissueAsync(current, ActivationKind.Customer, cancellationToken);
                }

                return;
            }

            await claims.TryActivateAsync(claim, cancellationToken);
        }

        if (await limits.MayMailAsync(current.Email, current.UserId, MailRequestKind.Registration, cancellationToken))
        {
            await mailer.SendAlreadyRegisteredAsync(current, cancellationToken);
        }
    }

    private Account NewAccount(CustomerRegistration form, string userId, string language, DateTimeOffset now, DateTimeOffset expiresAt) => new()
    {
        UserId = userId,
        Email = form.Email,
        Role = admin.Value.IsFirstAdmin(form.Email) ? AccountRole.Admin : AccountRole.Customer,
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

    private static CustomerSite SiteOf(CustomerRegistration form, string userId, DateTimeOffset now) =>
        new(userId, form.GatewayId, form.SiteName, form.SiteAddress, form.GridConnectionDate, now);
}
