using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Notifications;

namespace KpNet.Operators;

public sealed record PoisonQueueCount(string Queue, string SourceQueue, int Count, bool Requeueable);

public sealed record PoisonMessage(string MessageId, DateTimeOffset? InsertedOn, long DequeueCount, string Text);

/// <summary>
/// The "-poison" queues of the app's queue-triggered functions, where the host (and the local trigger) put a message that
/// failed <c>maxDequeueCount</c> times. Messages are read and moved as they are stored (no re-encoding), so a requeued
/// message is byte for byte what the function failed on; mail messages may go back to their queue, any message may be
/// removed once handled.
/// </summary>
public sealed class PoisonQueues(StorageAccount storage, TriggerFunctions functions)
{
    public const string Suffix = "-poison";
    public const int MaxListed = 32;

    /// <summary>Mail is safe to send again: SendEmail and the mail requests are idempotent by message id.</summary>
    private static readonly HashSet<string> Requeueable = [EmailOutbox.QueueName, MailRequests.QueueName];

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, QueueServiceClient> _verbatim = new(StringComparer.Ordinal);

    private IEnumerable<QueueTrigger> Triggers => functions.OfTrigger<QueueTrigger>().Select(f => f.Trigger).OrderBy(t => t.QueueName, StringComparer.Ordinal);

    public async Task<IReadOnlyList<PoisonQueueCount>> CountsAsync(CancellationToken cancellationToken)
    {
        var counts = new List<PoisonQueueCount>();
        foreach (var trigger in Triggers)
        {
            int count;
            try
            {
                count = (await Verbatim(trigger.QueueName + Suffix, trigger.Connection).GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                count = 0;
            }

            counts.Add(new PoisonQueueCount(trigger.QueueName + Suffix, trigger.QueueName, count, Requeueable.Contains(trigger.QueueName)));
        }

        return counts;
    }

    /// <summary>Null when <paramref name="poisonQueue"/> is not one of the app's poison queues.</summary>
    public async Task<IReadOnlyList<PoisonMessage>?> PeekAsync(string poisonQueue, CancellationToken cancellationToken)
    {
        if (Find(poisonQueue) is not { } trigger)
        {
            return null;
        }

        try
        {
            var peeked = await Verbatim(poisonQueue, trigger.Connection).PeekMessagesAsync(MaxListed, cancellationToken);
            return peeked.Value.Select(m => new PoisonMessage(m.MessageId, m.InsertedOn, m.DequeueCount, Readable(m.Body))).ToList();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    }

    public bool IsRequeueable(string poisonQueue) => Find(poisonQueue) is { } trigger && Requeueable.Contains(trigger.QueueName);

    /// <summary>
    /// Takes the message off the poison queue, after putting it back on its own queue when <paramref name="requeue"/>.
    /// Others received on the way are released at once. False when no such message is there (already handled).
    /// </summary>
    public async Task<bool> ResolveAsync(string poisonQueue, string messageId, bool requeue, CancellationToken cancellationToken)
    {
        if (Find(poisonQueue) is not { } trigger)
        {
            return false;
        }

        var poison = Verbatim(poisonQueue, trigger.Connection);
        for (var round = 0; round < 10; round++)
        {
            QueueMessage[] received;
            try
            {
                received = (await poison.ReceiveMessagesAsync(MaxListed, TimeSpan.FromSeconds(30), cancellationToken)).Value;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return false;
            }

            if (received.Length == 0)
            {
                return false;
            }

            var found = false;
            foreach (var message in received)
            {
                if (message.MessageId == messageId)
                {
                    if (requeue)
                    {
                        await Verbatim(trigger.QueueName, trigger.Connection).SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                    }

                    await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                    found = true;
                }
                else
                {
                    await poison.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken);
                }
            }

            if (found)
            {
                return true;
            }
        }

        return false;
    }

    private QueueTrigger? Find(string poisonQueue) => Triggers.FirstOrDefault(t => t.QueueName + Suffix == poisonQueue);

    private QueueClient Verbatim(string queue, string connection) =>
        _verbatim.GetOrAdd(connection, c => storage.CreateQueueServiceClient(c, StorageAccount.QueueOptions(QueueMessageEncoding.None))).GetQueueClient(queue);

    /// <summary>The host's messages are base64 of UTF-8 text: shown decoded when they are, as stored otherwise.</summary>
    private static string Readable(BinaryData body)
    {
        var stored = body.ToString();
        var buffer = new byte[stored.Length];
        return Convert.TryFromBase64String(stored, buffer, out var length) && TryUtf8(buffer.AsSpan(0, length)) is { } text ? text : stored;
    }

    private static string? TryUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
