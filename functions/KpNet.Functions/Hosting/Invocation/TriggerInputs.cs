namespace KpNet.Hosting.Invocation;

/// <summary>A queue message as the queue trigger delivers it: already base64-decoded text.</summary>
public sealed record QueueTriggerInput(string Text, string MessageId, long DequeueCount, DateTimeOffset? InsertionTime, InvocationAttempt Attempt);

/// <summary>A batch of Event Hubs events (cardinality many); each body is UTF-8 bytes.</summary>
public sealed record EventBatch(IReadOnlyList<EventData> Events, string? PartitionId, InvocationAttempt Attempt);

public sealed record EventData(ReadOnlyMemory<byte> Body, long? SequenceNumber, DateTimeOffset? EnqueuedTime, string? PartitionKey);

public sealed record TimerInput(bool IsPastDue, DateTimeOffset? Last, DateTimeOffset? Next, InvocationAttempt Attempt);

/// <summary>Which try this is under the function's retry policy (the host's RetryContext); 0 is the first.</summary>
public sealed record InvocationAttempt(string InvocationId, int RetryCount, int MaxRetryCount)
{
    public static InvocationAttempt First(string invocationId) => new(invocationId, 0, 0);
}
