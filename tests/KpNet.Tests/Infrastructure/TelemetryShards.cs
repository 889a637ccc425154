using Azure.Data.Tables;
using KpNet.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Infrastructure;

/// <summary>The app's telemetry tables as its <see cref="TelemetryStorage"/> finds them: a gateway's in its shard, or a table in every shard.</summary>
internal static class TelemetryShards
{
    public static async Task<TableClient> TelemetryTableAsync(this IServiceProvider services, string gatewayId, string table) =>
        (await services.GetRequiredService<TelemetryStorage>().OfGatewayAsync(gatewayId, CancellationToken.None)).Table(table);

    public static IEnumerable<TableClient> TelemetryTableInEveryShard(this IServiceProvider services, string table) =>
        services.GetRequiredService<TelemetryStorage>().Shards.Select(shard => shard.Table(table));

    /// <summary>The rows of the table matching <paramref name="filter"/>, from every shard.</summary>
    public static async Task<List<TableEntity>> QueryEveryShardAsync(this IServiceProvider services, string table, string filter)
    {
        var rows = new List<TableEntity>();
        foreach (var client in services.TelemetryTableInEveryShard(table))
        {
            await foreach (var row in client.QueryAsync<TableEntity>(filter))
            {
                rows.Add(row);
            }
        }

        return rows;
    }
}
