using Azure.Storage.Queues;
using KpNet.Hosting;

namespace KpNet.Tests.Infrastructure;

/// <summary>Queues of a test's storage account through the app's own clients (base64, the pinned service version).</summary>
internal static class TestQueues
{
    public static QueueClient Queue(string connectionString, string queueName) => Account(connectionString).GetQueueClient(queueName);

    /// <summary>Sends and reads text as it is, as a producer that does not base64-encode would.</summary>
    public static QueueClient Verbatim(string connectionString, string queueName) =>
        Account(connectionString)
            .CreateQueueServiceClient(StorageAccount.DefaultConnection, StorageAccount.QueueOptions(QueueMessageEncoding.None))
            .GetQueueClient(queueName);

    private static StorageAccount Account(string connectionString) => AppTables.Account(connectionString);
}
