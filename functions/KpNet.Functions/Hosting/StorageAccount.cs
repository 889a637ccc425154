using System.Collections.Concurrent;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace KpNet.Hosting;

/// <summary>
/// Table and queue clients for a storage connection named like the host's bindings ("AzureWebJobsStorage"): either a
/// connection string (Azurite locally; the setting itself or …__connectionString), or identity-based settings (…__tableServiceUri, …__queueServiceUri or
/// …__accountName, optional …__clientId for a user-assigned managed identity) in Azure. Every table client carries the
/// registered <see cref="TablePolicy"/> instances (the app's <see cref="KpNet.Azure.Storage.Tables.AzureTableLimits"/>).
/// </summary>
public sealed class StorageAccount(IConfiguration configuration, IEnumerable<TablePolicy> tablePolicies)
{
    public const string DefaultConnection = "AzureWebJobsStorage";

    private readonly ConcurrentDictionary<string, TableServiceClient> _tableServices = new();

    /// <summary>
    /// The Queue service version every queue client sends, pinned rather than the SDK's newest (2026-10-06), which
    /// Azurite 3.37 refuses: Azure is then called with exactly the version the tests and local runs were checked against.
    /// </summary>
    public const QueueClientOptions.ServiceVersion QueueServiceVersion = QueueClientOptions.ServiceVersion.V2026_06_06;

    private readonly ConcurrentDictionary<(string, string), TableClient> _tables = new();
    private readonly ConcurrentDictionary<string, QueueServiceClient> _queueServices = new();
    private readonly Lazy<TokenCredential> _credential = new(() => AppIdentity.Credential(configuration));

    public TableClient GetTableClient(string tableName, string connection = DefaultConnection) =>
        _tables.GetOrAdd((connection, tableName), key => GetTableServiceClient(key.Item1).GetTableClient(key.Item2));

    public TableServiceClient GetTableServiceClient(string connection = DefaultConnection) =>
        _tableServices.GetOrAdd(connection, name =>
            ConnectionString(name) is { } connectionString
                ? new TableServiceClient(connectionString, TableOptions())
                : new TableServiceClient(ServiceUri(name, "table"), _credential.Value, TableOptions()));

    /// <summary>A queue of the connection, its messages base64-encoded as the Functions queue trigger expects.</summary>
    public QueueClient GetQueueClient(string queueName, string connection = DefaultConnection) =>
        _queueServices.GetOrAdd(connection, key => CreateQueueServiceClient(key, QueueOptions())).GetQueueClient(queueName);

    /// <summary>
    /// A queue service client of its own, for options the shared one must not have (another encoding, a
    /// <see cref="QueueClientOptions.MessageDecodingFailed"/> handler); start them from <see cref="QueueOptions"/>.
    /// </summary>
    public QueueServiceClient CreateQueueServiceClient(string connection, QueueClientOptions options) =>
        ConnectionString(connection) is { } connectionString
            ? new QueueServiceClient(connectionString, options)
            : new QueueServiceClient(ServiceUri(connection, "queue"), _credential.Value, options);

    /// <summary>
    /// The options of the app's queue clients: the host's message encoding (base64 unless told otherwise), the pinned
    /// service version and the storage retry budget.
    /// </summary>
    public static QueueClientOptions QueueOptions(QueueMessageEncoding encoding = QueueMessageEncoding.Base64) =>
        WithStorageRetry(new QueueClientOptions(QueueServiceVersion) { MessageEncoding = encoding });

    /// <summary>
    /// A single table or queue call takes milliseconds; Azure.Core's defaults (100 s a try) would let a stalled account
    /// hold a request for minutes. Four tries of at most 5 s: a trigger gives up on a call within about 25 s, and an
    /// HTTP request's deadline (<see cref="Http.RequestDeadline"/>) cuts it shorter still.
    /// </summary>
    private static T WithStorageRetry<T>(T options)
        where T : ClientOptions
    {
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        options.Retry.MaxRetries = 3;
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        return options;
    }

    private TableClientOptions TableOptions()
    {
        var options = WithStorageRetry(new TableClientOptions());
        foreach (var policy in tablePolicies)
        {
            options.AddPolicy(policy.Policy, policy.Position);
        }

        return options;
    }

    /// <summary>
    /// The connection's connection string: the setting itself, as the host reads its own connections, or
    /// …__connectionString, for a connection that is an item of a list (TelemetryStorage__Shards__0__connectionString).
    /// </summary>
    private string? ConnectionString(string connection) =>
        configuration[connection] is { Length: > 0 } value ? value
        : configuration[$"{connection}:connectionString"] is { Length: > 0 } item ? item
        : null;

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

        var setting = connection.Replace(":", "__", StringComparison.Ordinal);
        throw new InvalidOperationException($"Storage connection '{setting}' is not configured: set {setting}, {setting}__connectionString or {setting}__accountName.");
    }
}
