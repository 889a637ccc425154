using KpNet.Hosting.Functions;

namespace KpNet.Hosting;

/// <summary>A table of the main account; local mode creates each at start (in Azure the infrastructure does).</summary>
public sealed record StorageTable(string Name);

/// <summary>Tables in other storage accounts, known only from the settings (a feature's own accounts, such as telemetry shards).</summary>
public interface IStorageTableSource
{
    /// <summary>Each table with the connection (setting prefix) of its account.</summary>
    IEnumerable<(string Table, string Connection)> Tables { get; }
}

/// <summary>
/// Local mode: creates every registered table (the main account's and each <see cref="IStorageTableSource"/>'s), and every trigger queue
/// with its poison queue, before anything else starts, so seeders, triggers and the first requests find them (in Azure
/// the infrastructure creates them).
/// </summary>
public sealed class StorageInitializer(
    IEnumerable<StorageTable> tables, IEnumerable<IStorageTableSource> sources, TriggerFunctions functions, StorageAccount storage) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in tables.DistinctBy(t => t.Name, StringComparer.OrdinalIgnoreCase))
        {
            await storage.GetTableClient(table.Name).CreateIfNotExistsAsync(cancellationToken);
        }

        foreach (var (table, connection) in sources.SelectMany(source => source.Tables))
        {
            await storage.GetTableClient(table, connection).CreateIfNotExistsAsync(cancellationToken);
        }

        foreach (var (_, queue) in functions.OfTrigger<QueueTrigger>())
        {
            await storage.GetQueueClient(queue.QueueName, queue.Connection).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await storage.GetQueueClient(queue.QueueName + "-poison", queue.Connection).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
