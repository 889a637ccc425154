using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KpNet.Notifications;

namespace KpNet.Telemetry.Alerts;

/// <summary>
/// Queues the fault and recovery mails of alert transitions for every recipient of the gateway. Each mail's id is
/// derived from (kind, gateway, alert key, raisedAt, recipient), so queuing it again — a replayed batch, a retried
/// commit — never sends it twice.
/// </summary>
public sealed class AlertMailer(IAlertRecipients recipientsOf, MailComposer composer, EmailOutbox outbox)
{
    public async Task SendAsync(string gatewayId, IReadOnlyList<AlertTransition> transitions, CancellationToken cancellationToken)
    {
        if (transitions.Count == 0)
        {
            return;
        }

        var recipients = await recipientsOf.AlertRecipientsAsync(gatewayId, cancellationToken);
        foreach (var transition in transitions)
        {
            foreach (var recipient in recipients)
            {
                await outbox.EnqueueAsync(Compose(transition, recipient), cancellationToken);
            }
        }
    }

    public OutgoingMail Compose(AlertTransition transition, AlertRecipient recipient)
    {
        var english = recipient.English;
        var template = transition.IsRecovery ? AlertMails.Cleared : AlertMails.Raised;
        var description = AlertCatalogue.Describe(transition.Condition.Code);
        var values = new Dictionary<string, string>
        {
            ["name"] = recipient.Name,
            ["gatewayId"] = transition.GatewayId,
            ["where"] = Where(transition.Condition.Unit, english),
            ["code"] = transition.Condition.Code,
            ["raisedAt"] = JapanTime.ForMail(transition.RaisedAt, english),
            ["clearedAt"] = transition.ClearedAt is { } cleared ? JapanTime.ForMail(cleared, english) : "",
            ["meaning"] = description.Meaning(english),
            ["check"] = description.Check(english),
            ["link"] = composer.PortalLink("monitoring?id=" + Uri.EscapeDataString(transition.GatewayId)),
        };
        return composer.Compose(template, recipient.Email, english, values, MailId(template.Kind, transition, recipient.Email));
    }

    private static string Where(int unit, bool english) => unit == 0
        ? (english ? "Gateway" : "ゲートウェイ")
        : string.Format(CultureInfo.InvariantCulture, english ? "Power conditioner unit {0}" : "パワーコンディショナ ユニット{0}", unit);

    private static string MailId(string kind, AlertTransition transition, string email)
    {
        var identity = string.Join('|', kind, transition.GatewayId, transition.Condition.Key,
            transition.RaisedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), email.ToLowerInvariant());
        return "alert-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..40];
    }
}
