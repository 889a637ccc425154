using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace KpNet.Hosting.Local;

/// <summary>
/// Polls a queue the way the Functions queue trigger does: base64 text, the host's lease while the handler runs, the
/// message back after visibilityTimeout on failure, and to "&lt;queue&gt;-poison" once it has been tried maxDequeueCount
/// times (or at once when it is not base64: the queue client cannot decode it, and the host's handler of that failure
/// copies it to poison as it is and never runs the function).
/// </summary>
public sealed partial class LocalQueueTrigger(
    FunctionDefinition function,
    StorageAccount storage,
    InvocationDispatcher dispatcher,
    IOptions<QueueTriggerOptions> options,
    TimeProvider time,
    ILogger<LocalQueueTrigger> logger) : BackgroundService
{
    /// <summary>
    /// The host's lease, which no setting changes: the storage queues extension's QueueListener receives every message
    /// for 10 minutes and renews that at half time while the function runs, trying a failed renewal again sooner (half
    /// the interval, at least a minute). So the message of an instance that died comes back 5 to 10 minutes later, that
    /// of a failed invocation after visibilityTimeout.
    /// </summary>
    public static readonly TimeSpan MessageLease = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan MinimumRenewalInterval = TimeSpan.FromMinutes(1);

    private readonly QueueTrigger _trigger = (QueueTrigger)function.Trigger;
    private readonly QueueTriggerOptions _options = options.Value;

    private string PoisonQueueName => _trigger.QueueName + "-poison";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // As the host's QueueServiceClientProvider: the receiving client decodes base64, and a message it cannot decode
        // goes to its MessageDecodingFailed handler instead of the results, to be copied to poison by a client that
        // does not encode, so the poison queue holds the text exactly as it was.
        var verbatim = storage.CreateQueueServiceClient(_trigger.Connection, StorageAccount.QueueOptions(QueueMessageEncoding.None));
        var receiving = StorageAccount.QueueOptions();
        receiving.MessageDecodingFailed += args => PoisonUndecodableAsync(args, verbatim.GetQueueClient(PoisonQueueName));
        var queue = storage.CreateQueueServiceClient(_trigger.Connection, receiving).GetQueueClient(_trigger.QueueName);
        var poison = storage.GetQueueClient(PoisonQueueName, _trigger.Connection);

        // Like the host: up to batchSize messages in flight, and a new fetch as soon as fewer than newBatchThreshold
        // remain, so one slow message never holds back the others.
        var inFlight = new HashSet<Task>();
        var stoppedMidHandling = new ConcurrentQueue<(string MessageId, Receipt Receipt)>();
        var threshold = Math.Clamp(_options.NewBatchThreshold, 0, _options.BatchSize - 1);
        var minimumInterval = TimeSpan.FromMilliseconds(100);
        var interval = minimumInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                while (inFlight.Count > threshold)
                {
                    inFlight.Remove(await Task.WhenAny(inFlight));
                }

                QueueMessage[] messages;
                try
                {
                    // Not cancelled at stop: a receive abandoned in flight can still take messages at the service, and
                    // those would stay hidden for the whole lease with no one to give them back. Not traced: in Azure the
                    // host polls, and locally every poll would be a trace of its own every few seconds per queue.
                    using (SuppressInstrumentationScope.Begin())
                    {
                        messages = (await queue.ReceiveMessagesAsync(_options.BatchSize - inFlight.Count, MessageLease, CancellationToken.None)).Value;
                    }
                }
                catch (Exception e)
                {
                    LogPollFailed(e, _trigger.QueueName);
                    messages = [];
                }

                if (stoppingToken.IsCancellationRequested)
                {
                    await Task.WhenAll(messages.Select(message => ReleaseAsync(queue, message.MessageId, message.PopReceipt)));
                    break;
                }

                if (messages.Length == 0)
                {
                    // Poll again after the back-off, or as soon as a handler finishes and frees a slot.
                    var backOff = Task.Delay(interval, stoppingToken);
                    await (inFlight.Count > 0 ? Task.WhenAny(backOff, Task.WhenAny(inFlight)) : Task.WhenAny(backOff));
                    inFlight.RemoveWhere(t => t.IsCompleted);
                    interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, Math.Max(_options.MaxPollingInterval.Ticks, minimumInterval.Ticks)));
                    continue;
                }

                interval = minimumInterval;
                foreach (var message in messages)
                {
                    inFlight.Add(HandleAsync(queue, poison, message, stoppedMidHandling, stoppingToken));
                }
            }
        }
        finally
        {
            // Every handler settles before the trigger stops. The messages of handlers stopped midway are given back
            // only now, when no receive is in flight any more: one given back earlier could be taken by that receive,
            // using up one of its tries for nothing.
            await Task.WhenAll(inFlight);
            await Task.WhenAll(stoppedMidHandling.Select(stopped => ReleaseAsync(queue, stopped.MessageId, stopped.Receipt.Value)));
        }
    }

    private async Task HandleAsync(
        QueueClient queue,
        QueueClient poison,
        QueueMessage message,
        ConcurrentQueue<(string MessageId, Receipt Receipt)> stoppedMidHandling,
        CancellationToken cancellationToken)
    {
        var receipt = new Receipt(message.PopReceipt);
        try
        {
            var text = message.Body.ToString();
            var payload = InvocationPayload.Write(
                _trigger.BindingName,
                writer => InvocationPayload.WriteHostString(writer, text),
                metadata =>
                {
                    metadata.WritePropertyName("Id");
                    InvocationPayload.WriteHostString(metadata, message.MessageId);
                    metadata.WriteString("DequeueCount", message.DequeueCount.ToString(CultureInfo.InvariantCulture));
                    metadata.WriteString("InsertionTime", message.InsertedOn.GetValueOrDefault().ToString("o", CultureInfo.InvariantCulture));
                    metadata.WritePropertyName("PopReceipt");
                    InvocationPayload.WriteHostString(metadata, message.PopReceipt);
                });
            var result = await DispatchWhileRenewingAsync(queue, message.MessageId, receipt, payload, cancellationToken);
            if (result.Outcome == InvocationOutcome.Succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, receipt.Value, cancellationToken);
            }
            else if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                await queue.DeleteMessageAsync(message.MessageId, receipt.Value, cancellationToken);
                LogPoisoned(_trigger.QueueName, message.MessageId, message.DequeueCount);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, receipt.Value, visibilityTimeout: _options.VisibilityTimeout, cancellationToken: cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stoppedMidHandling.Enqueue((message.MessageId, receipt));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The lease runs out and the message comes back: nothing is lost.
            LogHandlingFailed(e, _trigger.QueueName, message.MessageId);
        }
    }

    private async Task<InvocationResult> DispatchWhileRenewingAsync(QueueClient queue, string messageId, Receipt receipt, byte[] payload, CancellationToken cancellationToken)
    {
        using var stopRenewing = new CancellationTokenSource();
        var renewing = RenewLeaseAsync(queue, messageId, receipt, stopRenewing.Token);
        try
        {
            return await dispatcher.DispatchAsync(function.Name, payload, Guid.NewGuid().ToString(), cancellationToken);
        }
        finally
        {
            await stopRenewing.CancelAsync();
            await renewing;
        }
    }

    /// <summary>Keeps the message hidden while its handler runs, as the host does; each renewal replaces its receipt.</summary>
    private async Task RenewLeaseAsync(QueueClient queue, string messageId, Receipt receipt, CancellationToken stop)
    {
        var interval = MessageLease / 2;
        while (true)
        {
            try
            {
                await Task.Delay(interval, time, stop);

                // Not cancelled with the handler: a renewal that landed unseen would leave a receipt that no longer works.
                var renewed = (await queue.UpdateMessageAsync(messageId, receipt.Value, visibilityTimeout: MessageLease, cancellationToken: CancellationToken.None)).Value;
                receipt.Value = renewed.PopReceipt;
                interval = MessageLease / 2;
                LogLeaseRenewed(_trigger.QueueName, messageId, renewed.NextVisibleOn);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException e) when (e.Status is 400 or 404)
            {
                // The receipt no longer works: the message was deleted, or it came back and another delivery holds it.
                LogLeaseLost(e, _trigger.QueueName, messageId);
                return;
            }
            catch (Exception e)
            {
                interval = TimeSpan.FromTicks(Math.Max(interval.Ticks / 2, MinimumRenewalInterval.Ticks));
                LogLeaseRenewalFailed(e, _trigger.QueueName, messageId, interval.TotalSeconds);
            }
        }
    }

    // Stopping mid-message: make it visible again at once rather than hiding it for the rest of its lease.
    private async Task ReleaseAsync(QueueClient queue, string messageId, string popReceipt)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await queue.UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: timeout.Token);
        }
        catch (Exception e)
        {
            LogHandlingFailed(e, _trigger.QueueName, messageId);
        }
    }

    /// <summary>
    /// Called by the receive for a message that is not base64, which then leaves it out of its results; the message
    /// arrives undecoded. A failure leaves it hidden for its lease, after which the next receive meets it again.
    /// </summary>
    private async Task PoisonUndecodableAsync(QueueMessageDecodingFailedEventArgs args, QueueClient verbatimPoison)
    {
        if (args.ReceivedMessage is not { } message)
        {
            return;
        }

        LogNotBase64(_trigger.QueueName, message.MessageId);
        try
        {
            await verbatimPoison.SendMessageAsync(message.Body, cancellationToken: args.CancellationToken);
            await args.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, args.CancellationToken);
            LogPoisoned(_trigger.QueueName, message.MessageId, message.DequeueCount);
        }
        catch (Exception e)
        {
            // Thrown from here, it would fail the whole receive and leave the batch's other messages hidden.
            LogHandlingFailed(e, _trigger.QueueName, message.MessageId);
        }
    }

    /// <summary>A received message's pop receipt, which every renewal of its lease replaces.</summary>
    private sealed class Receipt(string value)
    {
        public string Value { get; set; } = value;
    }

    [LoggerMessage(EventId = 1100, EventName = "QueueMessagePoisoned", Level = LogLevel.Error, Message = "Queue {QueueName} message {MessageId} moved to poison after {DequeueCount} tries")]
    private partial void LogPoisoned(string queueName, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 1101, EventName = "QueueMessageNotBase64", Level = LogLevel.Error, Message = "Queue {QueueName} message {MessageId} is not base64 and cannot be delivered")]
    private partial void LogNotBase64(string queueName, string messageId);

    [LoggerMessage(EventId = 1102, EventName = "QueuePollFailed", Level = LogLevel.Warning, Message = "Polling queue {QueueName} failed")]
    private partial void LogPollFailed(Exception exception, string queueName);

    [LoggerMessage(EventId = 1104, EventName = "QueueMessageLeaseRenewed", Level = LogLevel.Debug, Message = "Queue {QueueName} message {MessageId} is still being handled; hidden until {NextVisibleOn:o}")]
    private partial void LogLeaseRenewed(string queueName, string messageId, DateTimeOffset nextVisibleOn);

    [LoggerMessage(EventId = 1105, EventName = "QueueMessageLeaseRenewalFailed", Level = LogLevel.Warning, Message = "Queue {QueueName} message {MessageId}: its lease could not be renewed; trying again in {RetrySeconds:F0} s")]
    private partial void LogLeaseRenewalFailed(Exception exception, string queueName, string messageId, double retrySeconds);

    [LoggerMessage(EventId = 1106, EventName = "QueueMessageLeaseLost", Level = LogLevel.Warning, Message = "Queue {QueueName} message {MessageId}: its receipt no longer works, so its lease is no longer renewed")]
    private partial void LogLeaseLost(Exception exception, string queueName, string messageId);

    [LoggerMessage(EventId = 1103, EventName = "QueueMessageHandlingFailed", Level = LogLevel.Warning, Message = "Queue {QueueName} message {MessageId} could not be settled; it returns when its lease ends")]
    private partial void LogHandlingFailed(Exception exception, string queueName, string messageId);
}
