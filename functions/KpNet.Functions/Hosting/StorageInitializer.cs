using KpNet.Hosting.Functions;

namespace KpNet.Hosting;

/// <summary>A table the app uses; local mode creates each at start (in Azure the infrastructure does).</summary>
public sealed record StorageTable(string Name);

/// <summary>
/// Local mode: creates every registered table, and every trigger queue with its poison queue, before anything else
/// starts, so seeders, triggers and the first requests find them (in Azure the infrastructure creates them).
/// </summary>
public sealed class StorageInitializer(IEnumerable<StorageTable> tables, TriggerFunctions functions, StorageAccount storage) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in tables.DistinctBy(t => t.Name, StringComparer.OrdinalIgnoreCase))
        {
            await storage.GetTableClient(table.Name).CreateIfNotExistsAsync(cancellationToken);
        }

        foreach (var (_, queue) in functions.OfTrigger<QueueTrigger>())
        {
            await storage.GetQueueClient(queue.QueueName, queue.Connection).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await storage.GetQueueClient(queue.QueueName + "-poison", queue.Connection).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
