using Azure;
using Azure.Data.Tables;
using KpNet.Accounts;
using KpNet.Azure.Storage;
using KpNet.Hosting;

namespace KpNet.Access;

/// <summary>A customer's gateway with its 案件 (site name) and 設置先住所, as entered at registration.</summary>
public sealed record CustomerSite(string UserId, string GatewayId, string SiteName, PostalAddress Address, DateOnly? GridConnectionDate, DateTimeOffset AddedAt)
{
    /// <summary>The gateways this one replaced (ゲートウェイの交換), oldest first: their history belongs to this site.</summary>
    public IReadOnlyList<string> Replaces { get; init; } = [];
}

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

        if (site.Replaces.Count > 0)
        {
            entity["Replaces"] = string.Join(',', site.Replaces);
        }

        await Table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>The caller's own gateway, or null: ownership is the partition, so another customer's gateway looks missing.</summary>
    public async Task<CustomerSite?> FindAsync(string userId, string gatewayId, CancellationToken cancellationToken)
    {
        if (!Inventory.GatewayId.IsValid(gatewayId))
        {
            return null;
        }

        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(userId, gatewayId, cancellationToken: cancellationToken)).ValueOrNull();
        return row is null ? null : FromEntity(row);
    }

    public async Task<IReadOnlyList<CustomerSite>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var sites = new List<CustomerSite>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {userId}"), cancellationToken: cancellationToken))
        {
            sites.Add(FromEntity(row));
        }

        return sites;
    }

    public async Task DeleteAsync(string userId, string gatewayId, CancellationToken cancellationToken) =>
        await Table.DeleteEntityAsync(userId, gatewayId, ETag.All, cancellationToken);

    public async Task<IReadOnlyList<string>> GatewayIdsOfAsync(string userId, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {userId}"), select: ["RowKey"], cancellationToken: cancellationToken))
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

    private static CustomerSite FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.RowKey,
        e.GetString("SiteName")!,
        new PostalAddress(e.GetString("PostalCode")!, e.GetString("Prefecture")!, e.GetString("City")!, e.GetString("Street")!),
        e.GetString("GridConnectionDate") is { } date ? DateOnly.ParseExact(date, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : null,
        e.GetDateTimeOffset("AddedAt")!.Value)
    {
        Replaces = e.GetString("Replaces") is { Length: > 0 } replaces ? replaces.Split(',') : [],
    };
}
