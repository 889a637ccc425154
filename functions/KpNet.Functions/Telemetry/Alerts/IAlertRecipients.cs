namespace KpNet.Telemetry.Alerts;

/// <summary>Someone who receives a gateway's alert mails, in their language.</summary>
public sealed record AlertRecipient(string Email, bool English, string Name);

/// <summary>Who hears about a gateway's alerts; the gateway-access module answers.</summary>
public interface IAlertRecipients
{
    Task<IReadOnlyList<AlertRecipient>> AlertRecipientsAsync(string gatewayId, CancellationToken cancellationToken);
}
