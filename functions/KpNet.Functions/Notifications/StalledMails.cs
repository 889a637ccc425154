using System.Globalization;
using System.Text.Json;
using Azure;
using KpNet.Azure.Storage;
using Azure.Data.Tables;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;

namespace KpNet.Notifications;

/// <summary>A mail recorded as being sent: the row to forget once its outcome is written.</summary>
public sealed record MailInFlight(string Minute, string MailId);

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

    private TableClient Table => storage.GetTableClient(TableName);

    private static string MinuteOf(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    public async Task<MailInFlight> RecordAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var inFlight = new MailInFlight(MinuteOf(time.GetUtcNow()), mail.Id);
        var row = new TableEntity(inFlight.Minute, inFlight.MailId)
        {
            ["Mail"] = JsonSerializer.SerializeToUtf8Bytes(mail, NotificationsJsonContext.Default.OutgoingMail),
        };
        await Table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        return inFlight;
    }

    public async Task ForgetAsync(MailInFlight inFlight, CancellationToken cancellationToken) =>
        await Table.DeleteEntityAsync(inFlight.Minute, inFlight.MailId, ETag.All, cancellationToken);

    /// <summary>The timer's work: a copy of every recorded mail whose claim has lapsed goes back on the outbox.</summary>
    public async Task RescueAsync(CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {MinuteOf(time.GetUtcNow() - MailDeliveries.ClaimLease)}");
        var recorded = new List<TableEntity>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            recorded.Add(row);
        }

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

            try
            {
                // Settled, or copied: the copy's own claim records it again.
                await Table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Its invocation forgot it meanwhile.
            }
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
