using System.Collections.Concurrent;
using Azure.Core;
using KpNet.Azure.Storage.Queues;
using KpNet.Azure.Storage.Tables;

namespace KpNet.Hosting;

/// <summary>
/// Table and queue clients for a storage connection named like the host's bindings ("AzureWebJobsStorage"): either a
/// connection string (Azurite locally), or identity-based settings (…__tableServiceUri, …__queueServiceUri or
/// …__accountName, optional …__clientId for a user-assigned managed identity) in Azure.
/// </summary>
public sealed class StorageAccount(IConfiguration configuration)
{
    public const string DefaultConnection = "AzureWebJobsStorage";

    private readonly ConcurrentDictionary<(string, string), TableClient> _tables = new();
    private readonly ConcurrentDictionary<(string, string), QueueClient> _queues = new();
    private readonly Lazy<TokenCredential> _credential = new(() => AppIdentity.Credential(configuration));

    public TableClient GetTableClient(string tableName, string connection = DefaultConnection) =>
        _tables.GetOrAdd((connection, tableName), key =>
            configuration[key.Item1] is { Length: > 0 } connectionString
                ? new TableClient(connectionString, key.Item2)
                : new TableClient(ServiceUri(key.Item1, "table"), key.Item2, _credential.Value));

    public QueueClient GetQueueClient(string queueName, string connection = DefaultConnection) =>
        _queues.GetOrAdd((connection, queueName), key =>
            configuration[key.Item1] is { Length: > 0 } connectionString
                ? new QueueClient(connectionString, key.Item2)
                : new QueueClient(new Uri(ServiceUri(key.Item1, "queue"), key.Item2), _credential.Value));

    private Uri ServiceUri(string connection, string service)
    {
        if (configuration[$"{connection}:{service}ServiceUri"] is { Length: > 0 } uri)
        {
            return new Uri(uri.EndsWith('/') ? uri : uri + "/");
        }

        if (configuration[$"{connection}:accountName"] is { Length: > 0 } account)
        {
            return new Uri($"https://{account}.{service}.core.windows.net/");
        }

        throw new InvalidOperationException($"Storage connection '{connection}' is not configured: set {connection} or {connection}__accountName.");
    }
}
