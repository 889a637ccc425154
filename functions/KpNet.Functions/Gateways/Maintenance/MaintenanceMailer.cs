using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Accounts.Dealers;
using KpNet.Notifications;

namespace KpNet.Gateways.Maintenance;

public enum UnlinkReason
{
    /// <summary>The customer ended the link (保守している販売店様解除).</summary>
    ByCustomer,

    /// <summary>The customer disposed of the gateway (ゲートウェイの廃棄).</summary>
    Disposal,
}

/// <summary>Queues the link and unlink notices, each in its recipient's language.</summary>
public sealed class MaintenanceMailer(MailComposer composer, EmailOutbox outbox)
{
    public async Task SendLinkedAsync(Account customer, CustomerSite site, Dealer dealer, CancellationToken cancellationToken)
    {
        await SendAsync(MaintenanceMails.LinkedToCustomer, customer.Email, customer.Language, Values(site, dealer, customer, composer.PortalLink("audit-log")), cancellationToken);
        await SendAsync(MaintenanceMails.LinkedToDealer, dealer.Email, dealer.Language, Values(site, dealer, customer: null, composer.PortalLink("dealer/gateways/view?id=" + Uri.EscapeDataString(site.GatewayId))), cancellationToken);
    }

    /// <param name="customer">Null when the customer asked for nothing to be mailed to them (disposal mails the dealers only).</param>
    public async Task SendUnlinkedAsync(Account? customer, CustomerSite site, Dealer dealer, UnlinkReason reason, CancellationToken cancellationToken)
    {
        if (customer is not null)
        {
            await SendAsync(MaintenanceMails.UnlinkedToCustomer, customer.Email, customer.Language, Values(site, dealer, customer, ""), cancellationToken);
        }

        var values = Values(site, dealer, customer: null, "");
        values["reason"] = (reason, dealer.Language == "en") switch
        {
            (UnlinkReason.Disposal, false) => "ゲートウェイの廃棄によるもの",
            (UnlinkReason.Disposal, true) => "the gateway was disposed of",
            (_, false) => "お客様による解除",
            (_, true) => "the customer ended the link",
        };
        await SendAsync(MaintenanceMails.UnlinkedToDealer, dealer.Email, dealer.Language, values, cancellationToken);
    }

    private static Dictionary<string, string> Values(CustomerSite site, Dealer dealer, Account? customer, string portalLink) => new()
    {
        ["name"] = customer is null ? "" : RegistrationMailer.DisplayName(customer),
        ["gatewayId"] = site.GatewayId,
        ["siteName"] = site.SiteName,
        ["dealerName"] = dealer.Name,
        ["dealerId"] = dealer.DealerId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["portalLink"] = portalLink,
    };

    private async Task SendAsync(MailTemplate template, string to, string language, Dictionary<string, string> values, CancellationToken cancellationToken) =>
        await outbox.EnqueueAsync(composer.Compose(template, to, language == "en", values), cancellationToken);
}
