using KpNet.Configuration;
using Microsoft.Extensions.Options;

namespace KpNet.Inventory;

/// <summary>Local mode: imports the demo gateways (DemoData__GatewaysCsv) at start, through the operator's import code.</summary>
public sealed partial class DemoInventorySeeder(IOptions<DemoDataOptions> demoData, GatewayInventory inventory, ILogger<DemoInventorySeeder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (demoData.Value.GatewaysCsv is not { Length: > 0 } path)
        {
            return;
        }

        using var reader = new StreamReader(path);
        var (rows, errors) = InventoryCsv.Parse(reader);
        foreach (var error in errors)
        {
            LogRejectedLine(path, error.Line, error.Message(english: true));
        }

        await inventory.ImportAsync(rows, stoppingToken);
    }

    [LoggerMessage(EventId = 3001, EventName = "DemoInventoryLineRejected", Level = LogLevel.Warning, Message = "{Path} line {Line}: {Problem}")]
    private partial void LogRejectedLine(string path, int line, string problem);
}
