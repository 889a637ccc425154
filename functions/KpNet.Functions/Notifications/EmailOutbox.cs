using System.Text.Json;
using KpNet.Hosting;

namespace KpNet.Notifications;

/// <summary>Queues mails for the SendEmail function; callers enqueue in the same step as the change that causes the mail.</summary>
public sealed class EmailOutbox(StorageAccount storage)
{
    public const string QueueName = "email-outbox";

    public async Task EnqueueAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var text = JsonSerializer.Serialize(mail, NotificationsJsonContext.Default.OutgoingMail);
        await storage.GetQueueClient(QueueName).SendMessageAsync(text, cancellationToken: cancellationToken);
    }
}
