namespace KpNet.Azure.Storage.Queues;

public sealed record QueueProperties(int ApproximateMessagesCount, IReadOnlyDictionary<string, string> Metadata);
