namespace KpNet.Hosting;

/// <summary>A table the app uses; local mode creates each at start (in Azure the infrastructure does).</summary>
public sealed record StorageTable(string Name);

/// <summary>Local mode: creates every registered table before anything else starts, so seeders and triggers find them.</summary>
public sealed class StorageInitializer(IEnumerable<StorageTable> tables, StorageAccount storage) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in tables.DistinctBy(t => t.Name, StringComparer.OrdinalIgnoreCase))
        {
            await storage.GetTableClient(table.Name).CreateIfNotExistsAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
