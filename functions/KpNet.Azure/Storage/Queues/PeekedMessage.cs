namespace KpNet.Azure.Storage.Queues;

/// <summary>A message seen without being dequeued (no pop receipt).</summary>
/// <param name="MessageText">The text as stored in the queue (base64 when sent by this client).</param>
public sealed record PeekedMessage(string MessageId, string MessageText, long DequeueCount, DateTimeOffset InsertionTime, DateTimeOffset ExpiresOn)
{
    /// <summary>
    /// The payload decoded from Base64(UTF-8), or <c>null</c> when <see cref="MessageText"/> is not
    /// valid base64 UTF-8: the Functions trigger would move such a message to the poison queue.
    /// </summary>
    public string? DecodedText { get; } = QueueMessageEncoding.TryDecode(MessageText);
}
