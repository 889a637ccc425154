namespace KpNet.Azure.Storage.Queues;

/// <summary>A dequeued message, invisible to others until <see cref="NextVisibleOn"/>.</summary>
/// <param name="MessageText">The text as stored in the queue (base64 when sent by this client).</param>
/// <param name="PopReceipt">Needed to delete or update the message; rotates on every update.</param>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    string MessageText,
    long DequeueCount,
    DateTimeOffset InsertionTime,
    DateTimeOffset ExpiresOn,
    DateTimeOffset NextVisibleOn)
{
    /// <summary>
    /// The payload decoded from Base64(UTF-8), or <c>null</c> when <see cref="MessageText"/> is not
    /// valid base64 UTF-8: the Functions trigger would move such a message to the poison queue.
    /// </summary>
    public string? DecodedText { get; } = QueueMessageEncoding.TryDecode(MessageText);
}
