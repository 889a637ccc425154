using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Notifications;

namespace KpNet.Accounts.Dealers;

/// <summary>
/// Activation of a dealer account: the next dealer ID, the Dealers row customers find it by, and the mail that tells
/// the dealer its ID. An activation that has to save again (its account changed meanwhile) keeps the ID it got.
/// </summary>
public sealed class DealerIdAssignment(DealerDirectory directory, MailComposer composer, EmailOutbox outbox, ILogger<DealerIdAssignment> logger) : IActivationStep
{
    public async Task<Account> OnActivatingAsync(Account account, ActivationKind kind, CancellationToken cancellationToken)
    {
        if (kind != ActivationKind.Dealer || account.Role != AccountRole.Dealer)
        {
            return account;
        }

        var (dealerId, isNew) = await directory.AssignIdAsync(account.UserId, cancellationToken);
        await directory.UpsertAsync(new Dealer(dealerId, account.UserId, account.Email, account.Name.Family, account.Phone, account.StaffEmails ?? [], account.Language),
            cancellationToken);
        if (isNew)
        {
            await outbox.EnqueueAsync(composer.Compose(DealerMails.Registered, account.Email, account.Language == "en", new Dictionary<string, string>
            {
                ["name"] = account.Name.Family,
                ["dealerId"] = dealerId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["loginLink"] = composer.PortalLink("login"),
            }), cancellationToken);
            logger.DealerIdAssigned(account.UserId, dealerId);
        }

        return account with { DealerId = dealerId };
    }
}
