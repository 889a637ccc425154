using System.Text.Json;
using Azure;
using KpNet.Azure.Storage.Tables;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;

namespace KpNet.Notifications;

/// <summary>
/// Delivers one queued mail. A delivery record keyed by the mail's id is written after sending, so a redelivered
/// message that was already sent is skipped.
/// </summary>
public sealed partial class SendEmailFunction(StorageAccount storage, IMailSender sender, ILogger<SendEmailFunction> logger) : IQueueFunction
{
    public const string Name = "SendEmail";
    public const string DeliveriesTable = "MailDeliveries";

    public async Task RunAsync(QueueTriggerInput message, CancellationToken cancellationToken)
    {
        OutgoingMail mail;
        try
        {
            mail = JsonSerializer.Deserialize(message.Text, NotificationsJsonContext.Default.OutgoingMail)
                ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"Outbox message {message.MessageId} is not a mail.", e);
        }

        var deliveries = storage.GetTableClient(DeliveriesTable);
        if ((await deliveries.GetEntityIfExistsAsync(mail.Id, "", cancellationToken: cancellationToken)).HasValue)
        {
            LogAlreadySent(mail.Id, mail.Kind);
            return;
        }

        await sender.SendAsync(mail, cancellationToken);
        try
        {
            await deliveries.AddEntityAsync(new TableEntity(mail.Id, "") { ["Kind"] = mail.Kind, ["SentAt"] = DateTimeOffset.UtcNow }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // A concurrent redelivery recorded it first.
        }

        LogSent(mail.Id, mail.Kind);
    }

    [LoggerMessage(EventId = 2000, EventName = "MailSent", Level = LogLevel.Information, Message = "Mail {MailId} ({Kind}) sent")]
    private partial void LogSent(string mailId, string kind);

    [LoggerMessage(EventId = 2001, EventName = "MailAlreadySent", Level = LogLevel.Information, Message = "Mail {MailId} ({Kind}) was already sent; redelivery skipped")]
    private partial void LogAlreadySent(string mailId, string kind);
}
