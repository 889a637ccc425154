using System.Security.Cryptography;
using System.Text;
using KpNet.Azure.Email;
using KpNet.Hosting;

namespace KpNet.Notifications;

/// <summary>
/// Sends through Azure Communication Services Email (Email__ConnectionString, or Email__Endpoint with the app's managed
/// identity). The operation id is derived from the mail's id, so every retry of one mail carries the same one.
/// </summary>
public sealed class AcsMailSender(EmailClient client, string senderAddress) : IMailSender
{
    /// <summary>From settings already checked at start (<see cref="EmailOptions"/>): a connection string, else the endpoint.</summary>
    public static AcsMailSender From(EmailOptions options, IConfiguration configuration) =>
        new(options.ConnectionString is { Length: > 0 } connectionString
                ? new EmailClient(connectionString)
                : new EmailClient(options.Endpoint!, AppIdentity.Credential(configuration)),
            options.SenderAddress!);

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
