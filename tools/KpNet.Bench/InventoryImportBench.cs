using System.Diagnostics;
using System.Globalization;
using KpNet.Inventory;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Bench;

/// <summary>
/// inventory-import: the operator's inventory import against Azurite, through the app's GatewayInventory: the dry run's
/// presence check, the first import (every password hashed, PBKDF2 at the app's iterations) and the same rows again.
/// Rows per second and CPU of this process; what one request can take within the 10 s deadline follows from them.
/// </summary>
public static class InventoryImportBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = int.Parse(BenchSupport.Option(args, "--rows") ?? "500", CultureInfo.InvariantCulture);
        await using var pipeline = await LocalPipeline.StartAsync(maxEventBatchSize: 1000);
        var inventory = pipeline.Services.GetRequiredService<GatewayInventory>();
        var rows = Enumerable.Range(0, count)
            .Select(i => new InventoryRow($"IB{i:D10}", $"bench-password-{i:D6}", "GW-M001", $"IB{i:D10}S", i % 2 == 0 ? ProductLine.MultiV2x : ProductLine.KpacB))
            .ToList();
        Console.WriteLine($"inventory-import: {count:N0} rows, {Environment.ProcessorCount} cores");

        await MeasureAsync("dry run (nothing present)", count, () => inventory.CheckAsync(rows, CancellationToken.None));
        await MeasureAsync("import (all new)", count, () => inventory.ImportAsync(rows, CancellationToken.None));
        await MeasureAsync("dry run (all present)", count, () => inventory.CheckAsync(rows, CancellationToken.None));
        await MeasureAsync("import again (all present)", count, () => inventory.ImportAsync(rows, CancellationToken.None));
        return 0;
    }

    private static async Task MeasureAsync(string title, int rows, Func<Task> run)
    {
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await run();
        var elapsed = clock.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Console.WriteLine($"  {title,-28} {elapsed.TotalSeconds,7:F2} s  {rows / elapsed.TotalSeconds,8:N0} rows/s  {cpu.TotalMilliseconds / rows,7:F2} ms CPU/row  " +
            $"→ {(int)(10 * rows / elapsed.TotalSeconds):N0} rows in 10 s");
    }
}
