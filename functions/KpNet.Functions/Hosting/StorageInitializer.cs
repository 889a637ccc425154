using KpNet.Hosting.Functions;
using KpNet.Telemetry;

namespace KpNet.Hosting;

/// <summary>A table of the main account; local mode creates each at start (in Azure the infrastructure does).</summary>
public sealed record StorageTable(string Name);

/// <summary>
/// Local mode: creates every registered table, the telemetry tables in every telemetry shard, and every trigger queue
/// with its poison queue, before anything else starts, so seeders, triggers and the first requests find them (in Azure
/// the infrastructure creates them).
/// </summary>
public sealed class StorageInitializer(IEnumerable<StorageTable> tables, TriggerFunctions functions, StorageAccount storage, TelemetryStorage telemetry) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in tables.DistinctBy(t => t.Name, StringComparer.OrdinalIgnoreCase))
        {
            await storage.GetTableClient(table.Name).CreateIfNotExistsAsync(cancellationToken);
        }

        foreach (var shard in telemetry.Shards)
        {
            foreach (var table in TelemetryTables.Names)
            {
                await storage.GetTableClient(table, shard.Connection).CreateIfNotExistsAsync(cancellationToken);
            }
        }

        foreach (var (_, queue) in functions.OfTrigger<QueueTrigger>())
        {
            await storage.GetQueueClient(queue.QueueName, queue.Connection).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await storage.GetQueueClient(queue.QueueName + "-poison", queue.Connection).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
