using System.Globalization;
using KpNet.Azure.Storage.Queues;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using Microsoft.Extensions.Options;

namespace KpNet.Hosting.Local;

/// <summary>
/// Polls a queue the way the Functions queue trigger does: base64 text, lease while the handler runs, the message
/// back after visibilityTimeout on failure, and to "&lt;queue&gt;-poison" once it has been tried maxDequeueCount times
/// (or at once when it is not base64, which the real trigger cannot decode either).
/// </summary>
public sealed partial class LocalQueueTrigger(
    FunctionDefinition function,
    StorageAccount storage,
    InvocationDispatcher dispatcher,
    IOptions<QueueTriggerOptions> options,
    ILogger<LocalQueueTrigger> logger) : BackgroundService
{
    private readonly QueueTrigger _trigger = (QueueTrigger)function.Trigger;
    private readonly QueueTriggerOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = storage.GetQueueClient(_trigger.QueueName, _trigger.Connection);
        var poison = storage.GetQueueClient(_trigger.QueueName + "-poison", _trigger.Connection);
        await queue.CreateIfNotExistsAsync(stoppingToken);
        await poison.CreateIfNotExistsAsync(stoppingToken);

        // Like the host: up to batchSize messages in flight, and a new fetch as soon as fewer than newBatchThreshold
        // remain, so one slow message never holds back the others.
        var inFlight = new HashSet<Task>();
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

                IReadOnlyList<QueueMessage> messages;
                try
                {
                    messages = (await queue.ReceiveMessagesAsync(_options.BatchSize - inFlight.Count, _options.LeaseDuration, stoppingToken)).Value;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPollFailed(e, _trigger.QueueName);
                    messages = [];
                }

                if (messages.Count == 0)
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
                    inFlight.Add(HandleAsync(queue, poison, message, stoppingToken));
                }
            }
        }
        finally
        {
            // Every handler settles (or gives its message back) before the trigger stops.
            await Task.WhenAll(inFlight);
        }
    }

    private async Task HandleAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            if (message.DecodedText is not { } text)
            {
                LogNotBase64(_trigger.QueueName, message.MessageId);
                await MoveToPoisonAsync(queue, poison, message, message.MessageText, cancellationToken);
                return;
            }

            var payload = InvocationPayload.Write(
                _trigger.BindingName,
                writer => InvocationPayload.WriteHostString(writer, text),
                metadata =>
                {
                    metadata.WritePropertyName("Id");
                    InvocationPayload.WriteHostString(metadata, message.MessageId);
                    metadata.WriteString("DequeueCount", message.DequeueCount.ToString(CultureInfo.InvariantCulture));
                    metadata.WriteString("InsertionTime", message.InsertionTime.ToString("o", CultureInfo.InvariantCulture));
                    metadata.WritePropertyName("PopReceipt");
                    InvocationPayload.WriteHostString(metadata, message.PopReceipt);
                });
            var result = await dispatcher.DispatchAsync(function.Name, payload, Guid.NewGuid().ToString(), cancellationToken);
            if (result.Outcome == InvocationOutcome.Succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
            else if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(queue, poison, message, text, cancellationToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, null, _options.VisibilityTimeout, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await ReleaseAsync(queue, message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The lease runs out and the message comes back: nothing is lost.
            LogHandlingFailed(e, _trigger.QueueName, message.MessageId);
        }
    }

    // Stopping mid-message: make it visible again at once rather than hiding it for the rest of its lease.
    private async Task ReleaseAsync(QueueClient queue, QueueMessage message)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, null, TimeSpan.Zero, timeout.Token);
        }
        catch (Exception e)
        {
            LogHandlingFailed(e, _trigger.QueueName, message.MessageId);
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, string text, CancellationToken cancellationToken)
    {
        await poison.SendMessageAsync(text, cancellationToken: cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        LogPoisoned(_trigger.QueueName, message.MessageId, message.DequeueCount);
    }

    [LoggerMessage(EventId = 1100, EventName = "QueueMessagePoisoned", Level = LogLevel.Error, Message = "Queue {QueueName} message {MessageId} moved to poison after {DequeueCount} tries")]
    private partial void LogPoisoned(string queueName, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 1101, EventName = "QueueMessageNotBase64", Level = LogLevel.Error, Message = "Queue {QueueName} message {MessageId} is not base64 and cannot be delivered")]
    private partial void LogNotBase64(string queueName, string messageId);

    [LoggerMessage(EventId = 1102, EventName = "QueuePollFailed", Level = LogLevel.Warning, Message = "Polling queue {QueueName} failed")]
    private partial void LogPollFailed(Exception exception, string queueName);

    [LoggerMessage(EventId = 1103, EventName = "QueueMessageHandlingFailed", Level = LogLevel.Warning, Message = "Queue {QueueName} message {MessageId} could not be settled; it returns when its lease ends")]
    private partial void LogHandlingFailed(Exception exception, string queueName, string messageId);
}
