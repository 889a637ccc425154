using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Notifications;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Notifications;

/// <summary>What storage holds about mails: a mail's delivery row, and the messages still in the outbox.</summary>
internal static class MailStorage
{
    public static async Task<TableEntity?> DeliveryAsync(string connectionString, string mailId) =>
        (await AppTables.Client(connectionString, MailDeliveries.TableName).GetEntityIfExistsAsync<TableEntity>(mailId, "")).ValueOrNull();

    /// <summary>Mails recorded as being sent (whose text rests in storage while they are).</summary>
    public static async Task<int> InFlightCountAsync(string connectionString)
    {
        var count = 0;
        await foreach (var _ in AppTables.Client(connectionString, StalledMails.TableName).QueryAsync<TableEntity>())
        {
            count++;
        }

        return count;
    }

    /// <summary>Messages in email-outbox, including those an invocation is handling.</summary>
    public static async Task<long> OutboxCountAsync(string connectionString) =>
        (await TestQueues.Queue(connectionString, EmailOutbox.QueueName).GetPropertiesAsync()).Value.ApproximateMessagesCount;
}
