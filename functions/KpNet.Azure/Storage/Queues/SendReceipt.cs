namespace KpNet.Azure.Storage.Queues;

public sealed record SendReceipt(
    string MessageId, string PopReceipt, DateTimeOffset InsertionTime, DateTimeOffset ExpirationTime, DateTimeOffset TimeNextVisible);
