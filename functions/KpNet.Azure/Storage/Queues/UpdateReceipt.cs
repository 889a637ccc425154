namespace KpNet.Azure.Storage.Queues;

/// <param name="PopReceipt">Replaces the old receipt, which no longer works.</param>
public sealed record UpdateReceipt(string PopReceipt, DateTimeOffset NextVisibleOn);
