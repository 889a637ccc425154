using Azure;

namespace KpNet.Azure.Storage;

/// <summary>Tells a storage failure that a retry may cure from one that every retry would meet again.</summary>
public static class StorageFailure
{
    /// <summary>
    /// True for what passes with time: the service or the network down, throttling, timeouts, a race another writer won,
    /// and what an operator fixes without touching the data (a missing role assignment, a missing table). False for a
    /// request the service refuses as it is (400 and the other 4xx, such as the limits Azure enforces) and for an
    /// exception that is no storage failure at all: both fail the same way on every retry.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 or 401 or 403 or 404 or 408 or 409 or 412 or 429 or >= 500 } => true,
        RequestFailedException => false,
        HttpRequestException or IOException or TimeoutException or OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsTransient),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}
