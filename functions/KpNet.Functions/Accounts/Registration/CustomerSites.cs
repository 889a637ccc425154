using Azure;
using KpNet.Azure.Storage.Tables;
using KpNet.Hosting;

namespace KpNet.Accounts.Registration;

/// <summary>A customer's gateway with its 案件 (site name) and 設置先住所, as entered at registration.</summary>
public sealed record CustomerSite(string UserId, string GatewayId, string SiteName, PostalAddress Address, DateOnly? GridConnectionDate, DateTimeOffset AddedAt);

/// <summary>Table CustomerGateways: PartitionKey = UserId, RowKey = gateway ID, so "my gateways" is one partition.</summary>
public sealed class CustomerSites(StorageAccount storage)
{
    public const string TableName = "CustomerGateways";

    private TableClient Table => storage.GetTableClient(TableName);

    /// <summary>Idempotent: a retried registration writes the same row again.</summary>
    public async Task UpsertAsync(CustomerSite site, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(site.UserId, site.GatewayId)
        {
            ["SiteName"] = site.SiteName,
            ["PostalCode"] = site.Address.PostalCode,
            ["Prefecture"] = site.Address.Prefecture,
            ["City"] = site.Address.City,
            ["Street"] = site.Address.Street,
            ["AddedAt"] = site.AddedAt,
        };
        if (site.GridConnectionDate is { } date)
        {
            entity["GridConnectionDate"] = date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        }

        await Table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> GatewayIdsOfAsync(string userId, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await foreach (var row in Table.QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {userId}"), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            ids.Add(row.RowKey);
        }

        return ids;
    }

    public async Task DeleteAllOfAsync(string userId, CancellationToken cancellationToken)
    {
        foreach (var gatewayId in await GatewayIdsOfAsync(userId, cancellationToken))
        {
            await Table.DeleteEntityAsync(userId, gatewayId, ETag.All, cancellationToken);
        }
    }
}
