using Azure;
using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Security;

namespace KpNet.Accounts.Dealers;

/// <summary>
/// 販売店様のご登録: a provisional dealer account (one per address, by insert) and its activation link, through the
/// customers' activation flow (kind dealer). The dealer ID is assigned at activation (<see cref="DealerIdAssignment"/>).
/// </summary>
public sealed class DealerRegistrar(
    AccountStore accounts, ActivationLinks links, RegistrationMailer mailer, MailRequestLimits limits, TimeProvider time, ILogger<DealerRegistrar> logger)
{
    /// <param name="activationExpiresAt">
    /// The deadline of the new account's link, told to the caller whether or not the address already had an account (which gets
    /// a notice or a fresh link instead): answering anything of the existing account would tell who is registered.
    /// </param>
    public async Task SignUpAsync(DealerSignUp form, string language, DateTimeOffset activationExpiresAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var account = new Account
        {
            UserId = Guid.NewGuid().ToString("N"),
            Email = form.Email,
            Role = AccountRole.Dealer,
            Status = AccountStatus.Provisional,
            Name = new PersonName(form.Name, ""),
            Phone = form.Phone,
            Address = form.Address,
            TermsVersion = form.TermsVersion,
            TermsAgreedAt = now,
            SecurityStamp = AccountStore.NewSecurityStamp(),
            CreatedAt = now,
            ActivationExpiresAt = activationExpiresAt,
            Language = language,
            StaffEmails = form.StaffEmails,
        };
        try
        {
            account = await accounts.InsertAsync(account, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            await AddressTakenAsync(form.Email, cancellationToken);
            return;
        }

        if (await limits.MayMailAsync(account.Email, account.UserId, MailRequestKind.DealerSignUp, cancellationToken))
        {
            await links.SendFirstAsync(account, ActivationKind.Dealer, cancellationToken);
        }

        logger.DealerSignedUp(account.UserId);
    }

    // The caller was answered as for a new address; a provisional dealer gets a new link, anyone else a notice.
    private async Task AddressTakenAsync(string email, CancellationToken cancellationToken)
    {
        if (await accounts.FindByEmailAsync(email, cancellationToken) is not { } current)
        {
            return;
        }

        logger.AddressTaken(current.UserId);
        if (!await limits.MayMailAsync(current.Email, current.UserId, MailRequestKind.DealerSignUp, cancellationToken))
        {
            return;
        }

        if (current is { Status: AccountStatus.Provisional, Role: AccountRole.Dealer })
        {
            await links.ReissueAsync(current, ActivationKind.Dealer, cancellationToken);
        }
        else
        {
            await mailer.SendAlreadyRegisteredAsync(current, cancellationToken);
        }
    }
}
