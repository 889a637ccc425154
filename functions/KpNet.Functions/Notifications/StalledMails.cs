using System.Text.Json;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;

namespace KpNet.Notifications;

/// <summary>
/// Brings a mail back within about a minute when the whole instance sending it dies. The Functions host keeps every
/// message it received from the rest of the app for 10 minutes (renewed at half time, no setting changes it), so the
/// dead instance's message would come back 5 to 10 minutes late. While a mail is being sent it is therefore recorded here
/// (table MailsInFlight: PartitionKey = the UTC minute its claim began, yyyyMMddHHmm, RowKey = mail id, the mail itself
/// as UTF-8 JSON, binary because a queue message's 48 KiB of text can exceed a string property's 64 KiB of UTF-16), and
/// forgotten once its outcome is written. Every 30 seconds <see cref="RescueStalledMailsFunction"/> queues a copy of each
/// recorded mail whose claim has not been renewed for its lease; the copy takes the claim over and sends it, and the
/// original, when it finally comes back, finds it sent. The mail's text (with its links) rests here only while it is
/// being sent, as it does in the queue.
/// </summary>
public sealed partial class StalledMails(StorageAccount storage, MailDeliveries deliveries, EmailOutbox outbox, TimeProvider time, ILogger<StalledMails> logger)
{
    public const string TableName = "MailsInFlight";

    private WorkInProgress Records => new(storage.GetTableClient(TableName), time);

    public async Task<WorkRecord> RecordAsync(OutgoingMail mail, CancellationToken cancellationToken) =>
        await Records.BeginAsync(mail.Id, new Dictionary<string, object> { ["Mail"] = JsonSerializer.SerializeToUtf8Bytes(mail, NotificationsJsonContext.Default.OutgoingMail) }, cancellationToken);

    public async Task ForgetAsync(WorkRecord inFlight, CancellationToken cancellationToken) => await Records.EndAsync(inFlight, cancellationToken);

    /// <summary>The timer's work: a copy of every recorded mail whose claim has lapsed goes back on the outbox.</summary>
    public async Task RescueAsync(CancellationToken cancellationToken)
    {
        var recorded = await Records.BegunBeforeAsync(time.GetUtcNow() - MailDeliveries.ClaimLease, cancellationToken);
        foreach (var row in recorded)
        {
            switch (await deliveries.StateOfAsync(row.RowKey, cancellationToken))
            {
                case MailDeliveryState.BeingSent:
                    continue;
                case MailDeliveryState.Stalled when row.GetBinary("Mail") is { } text:
                    var mail = JsonSerializer.Deserialize(text, NotificationsJsonContext.Default.OutgoingMail)!;
                    await outbox.EnqueueAsync(mail, cancellationToken);
                    LogRescued(mail.Id, mail.Kind, row.PartitionKey);
                    break;
            }

            // Settled, or copied: the copy's own claim records it again.
            await Records.EndAsync(new WorkRecord(row.PartitionKey, row.RowKey), cancellationToken);
        }
    }

    [LoggerMessage(EventId = 2013, EventName = "StalledMailRequeued", Level = LogLevel.Warning, Message = "Mail {MailId} ({Kind}), claimed in minute {ClaimedMinute} by an invocation that stopped renewing it, was queued again")]
    private partial void LogRescued(string mailId, string kind, string claimedMinute);
}

/// <summary>Every 30 seconds: mails whose sending instance died are queued again.</summary>
public sealed class RescueStalledMailsFunction(StalledMails mails) : ITimerFunction
{
    public const string Name = "RescueStalledMails";
    public const string Schedule = "*/30 * * * * *";

    public Task RunAsync(TimerInput timer, CancellationToken cancellationToken) => mails.RescueAsync(cancellationToken);
}
