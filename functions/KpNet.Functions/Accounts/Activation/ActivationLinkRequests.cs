using KpNet.Notifications;
using KpNet.Security;

namespace KpNet.Accounts.Activation;

/// <summary>POST /api/activations as queued.</summary>
public sealed record ActivationLinkRequest(string Email);

/// <summary>A fresh activation link (retiring the earlier ones) for the provisional account at the address; nothing otherwise.</summary>
public sealed class ActivationLinkRequests(AccountStore accounts, ActivationLinks links, MailRequestLimits limits) : IMailRequestHandler
{
    public MailRequestKind Kind => MailRequestKind.ActivationLink;

    public async Task HandleAsync(MailRequest request, CancellationToken cancellationToken)
    {
        if (await accounts.FindByEmailAsync(request.Read<ActivationLinkRequest>().Email, cancellationToken) is { Status: AccountStatus.Provisional } account
            && await limits.MayMailAsync(account.Email, account.UserId, Kind, cancellationToken))
        {
            await links.ReissueAsync(account, account.Role == AccountRole.Dealer ? ActivationKind.Dealer : ActivationKind.Customer, cancellationToken);
        }
    }
}
