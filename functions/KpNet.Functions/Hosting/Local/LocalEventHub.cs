using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using KpNet.Json;
using Microsoft.Extensions.Options;

namespace KpNet.Hosting.Local;

/// <summary>Events received by the local ingest endpoint, waiting to be delivered to the hub's function.</summary>
public sealed record IngestedEvent(byte[] Body, string? PartitionKey);

/// <summary>What the sender of events hears from <see cref="LocalEventHub.SendAsync"/>.</summary>
public enum LocalSendOutcome
{
    /// <summary>The function handled every event.</summary>
    Handled,

    /// <summary>The function kept failing until its retry policy gave up: the events are dropped, the sender must resend.</summary>
    GivenUp,

    /// <summary>Not handled within <see cref="LocalEventHub.SendTimeout"/>; the events are still being retried.</summary>
    StillRetrying,
}

/// <summary>
/// Stands in for Event Hubs + the Event Hubs trigger: accepted events are gathered into batches of at most
/// maxEventBatchSize and dispatched to the function, retried under its retry policy (without end when it says -1, as
/// the host does). Unlike the real service the sender's request waits until its events were handled, so a 201 here
/// means processed and nothing is lost; a send still unhandled after <see cref="SendTimeout"/> is answered as Event
/// Hubs answers a timed-out send (resend it) while its events go on being retried, which the function's idempotent
/// writes make harmless.
/// </summary>
public sealed partial class LocalEventHub(
    FunctionDefinition function,
    InvocationDispatcher dispatcher,
    IOptions<EventHubTriggerOptions> options,
    TimeProvider time,
    ILogger<LocalEventHub> logger) : BackgroundService
{
    /// <summary>The Event Hubs client's own default for one send (EventHubsRetryOptions.TryTimeout).</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(60);

    private sealed record Pending(IReadOnlyList<IngestedEvent> Events, TaskCompletionSource<bool> Handled);

    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly EventHubTrigger _trigger = (EventHubTrigger)function.Trigger;
    private readonly ConcurrentDictionary<string, byte> _revokedPublishers = new(StringComparer.Ordinal);
    private long _nextSequenceNumber;

    public string EventHubName => _trigger.EventHubName;

    public string Connection => _trigger.Connection;

    /// <summary>As Event Hubs' revoked publishers: every later send as this publisher is refused. Kept in memory only.</summary>
    public void RevokePublisher(string publisher) => _revokedPublishers.TryAdd(publisher, 0);

    public bool IsRevoked(string publisher) => _revokedPublishers.ContainsKey(publisher);

    public async Task<LocalSendOutcome> SendAsync(IReadOnlyList<IngestedEvent> events)
    {
        var pending = new Pending(events, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending))
        {
            pending.Handled.TrySetResult(false);
        }

        try
        {
            return await pending.Handled.Task.WaitAsync(SendTimeout, time) ? LocalSendOutcome.Handled : LocalSendOutcome.GivenUp;
        }
        catch (TimeoutException)
        {
            return LocalSendOutcome.StillRetrying;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var maxBatch = Math.Max(1, options.Value.MaxEventBatchSize);
        var gathered = new List<Pending>();
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stoppingToken))
            {
                var count = 0;
                while (count < maxBatch && _pending.Reader.TryRead(out var next))
                {
                    gathered.Add(next);
                    count += next.Events.Count;
                }

                var events = gathered.SelectMany(p => p.Events).ToList();
                var handled = true;
                for (var offset = 0; offset < events.Count && handled; offset += maxBatch)
                {
                    handled = await DeliverAsync(events.GetRange(offset, Math.Min(maxBatch, events.Count - offset)), stoppingToken);
                }

                foreach (var pending in gathered)
                {
                    pending.Handled.TrySetResult(handled);
                }

                gathered.Clear();
            }
        }
        finally
        {
            _pending.Writer.TryComplete();
            foreach (var pending in gathered)
            {
                pending.Handled.TrySetResult(false);
            }

            while (_pending.Reader.TryRead(out var left))
            {
                left.Handled.TrySetResult(false);
            }
        }
    }

    private async Task<bool> DeliverAsync(List<IngestedEvent> events, CancellationToken cancellationToken)
    {
        var firstSequenceNumber = _nextSequenceNumber;
        _nextSequenceNumber += events.Count;
        var enqueuedAt = time.GetUtcNow();
        var retry = function.Retry;
        for (var attempt = 0; ; attempt++)
        {
            var payload = WritePayload(events, firstSequenceNumber, enqueuedAt, attempt, retry);
            var result = await dispatcher.DispatchAsync(function.Name, payload, Guid.NewGuid().ToString(), cancellationToken);
            if (result.Outcome == InvocationOutcome.Succeeded)
            {
                return true;
            }

            if (retry is null || !retry.AllowsRetry(attempt + 1))
            {
                LogBatchGivenUp(function.Name, events.Count, attempt + 1);
                return false;
            }

            await Task.Delay(retry.DelayBeforeRetry(attempt + 1), time, cancellationToken);
        }
    }

    // The host's shape: the batch and the per-event metadata arrays each arrive as a string holding JSON.
    private byte[] WritePayload(List<IngestedEvent> events, long firstSequenceNumber, DateTimeOffset enqueuedAt, int retryCount, RetryPolicy? retry) =>
        InvocationPayload.Write(
            _trigger.BindingName,
            writer => writer.WriteStringValue(JsonText.Array(array =>
            {
                foreach (var e in events)
                {
                    array.WriteStringValue(System.Text.Encoding.UTF8.GetString(e.Body));
                }
            })),
            metadata =>
            {
                metadata.WriteString("SequenceNumberArray", JsonText.Array(array =>
                {
                    for (var i = 0; i < events.Count; i++)
                    {
                        array.WriteNumberValue(firstSequenceNumber + i);
                    }
                }));
                metadata.WriteString("EnqueuedTimeUtcArray", JsonText.Array(array =>
                {
                    foreach (var _ in events)
                    {
                        array.WriteStringValue(enqueuedAt.ToString("o", CultureInfo.InvariantCulture));
                    }
                }));
                metadata.WriteString("PartitionKeyArray", JsonText.Array(array =>
                {
                    foreach (var e in events)
                    {
                        array.WriteStringValue(e.PartitionKey);
                    }
                }));
                metadata.WriteStartObject("PartitionContext");
                metadata.WriteString(nameof(EventHubName), _trigger.EventHubName);
                metadata.WriteString("ConsumerGroup", _trigger.ConsumerGroup);
                metadata.WriteString("PartitionId", "0");
                metadata.WriteEndObject();
                if (retry is not null)
                {
                    metadata.WriteStartObject("RetryContext");
                    metadata.WriteNumber("RetryCount", retryCount);
                    metadata.WriteNumber("MaxRetryCount", retry.MaxRetryCount);
                    metadata.WriteEndObject();
                }
            });

    [LoggerMessage(EventId = 1300, EventName = "EventBatchGivenUp", Level = LogLevel.Error, Message = "Function {FunctionName} failed a batch of {EventCount} events {Attempts} times; the sender is told to resend")]
    private partial void LogBatchGivenUp(string functionName, int eventCount, int attempts);
}
