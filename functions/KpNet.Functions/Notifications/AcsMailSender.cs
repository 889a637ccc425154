using System.Security.Cryptography;
using System.Text;
using Azure.Identity;
using KpNet.Azure.Email;

namespace KpNet.Notifications;

/// <summary>
/// Sends through Azure Communication Services Email (Email:ConnectionString, or Email:Endpoint with the app's managed
/// identity). The operation id is derived from the mail's id, so every retry of one mail carries the same one.
/// </summary>
public sealed class AcsMailSender(EmailClient client, string senderAddress) : IMailSender
{
    public static AcsMailSender FromConfiguration(IConfiguration configuration)
    {
        var sender = configuration["Email:SenderAddress"] ?? throw new InvalidOperationException("Setting Email:SenderAddress is missing.");
        if (configuration["Email:ConnectionString"] is { Length: > 0 } connectionString)
        {
            return new AcsMailSender(new EmailClient(connectionString), sender);
        }

        if (configuration["Email:Endpoint"] is { Length: > 0 } endpoint)
        {
            var credential = configuration["AzureWebJobsStorage:clientId"] is { Length: > 0 } clientId
                ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
                : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
            return new AcsMailSender(new EmailClient(new Uri(endpoint), credential), sender);
        }

        throw new InvalidOperationException("Set Email:ConnectionString or Email:Endpoint to send mail.");
    }

    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var message = new EmailMessage(senderAddress, mail.To, new EmailContent(mail.Subject) { PlainText = mail.Text, Html = mail.Html });
        message.Headers["x-kpnet-kind"] = mail.Kind;
        await client.SendAsync(message, OperationId(mail.Id), cancellationToken);
    }

    // ACS wants a UUID; a hash keeps it stable for ids that are not one.
    private static string OperationId(string mailId) =>
        Guid.TryParse(mailId, out var id) ? id.ToString() : new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(mailId)).AsSpan(0, 16)).ToString();
}
