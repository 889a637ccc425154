using Azure;
using Azure.Data.Tables;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Storage.Tables;

public sealed class TableClientQueryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly TableClient _table = AppTables.Client(azurite.ConnectionString, UniqueName.For("query"));

    public async Task InitializeAsync() => await _table.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task Query_follows_continuation_across_more_than_1000_entities()
    {
        const int total = 1_050;
        foreach (var chunk in Enumerable.Range(0, total).Chunk(100))
        {
            await _table.SubmitTransactionAsync(chunk.Select(i =>
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("bulk", i.ToString("D5")) { ["N"] = i })));
        }

        var pages = 0;
        var rowKeys = new HashSet<string>();
        await foreach (var page in _table.QueryAsync<TableEntity>("PartitionKey eq 'bulk'", maxPerPage: 1000).AsPages())
        {
            pages++;
            rowKeys.UnionWith(page.Values.Select(e => e.RowKey));
        }

        Assert.Equal(total, rowKeys.Count);
        Assert.True(pages > 1, $"expected several pages, got {pages}");
    }

    [Fact]
    public async Task Query_applies_filter_select_and_top()
    {
        for (var i = 0; i < 5; i++)
        {
            await _table.AddEntityAsync(new TableEntity("small", $"r{i}") { ["N"] = i, ["Other"] = "x" });
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"small"} and N ge {2}");
        var pages = new List<Page<TableEntity>>();
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, maxPerPage: 2, select: ["RowKey", "N"]).AsPages())
        {
            pages.Add(page);
        }

        var rows = pages.SelectMany(p => p.Values).ToList();
        Assert.Equal(["r2", "r3", "r4"], rows.Select(e => e.RowKey));
        Assert.All(pages, p => Assert.True(p.Values.Count <= 2));
        Assert.All(rows, e => Assert.False(e.ContainsKey("Other")));
        Assert.All(rows, e => Assert.NotEqual(default, e.ETag));
    }

    [Fact]
    public async Task Filter_built_from_user_input_cannot_inject_operators()
    {
        await _table.AddEntityAsync(new TableEntity("inject", "a") { ["Name"] = "x' or 'a' eq 'a" });
        await _table.AddEntityAsync(new TableEntity("inject", "b") { ["Name"] = "plain" });

        var injected = await ToListAsync(_table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Name eq {"' or RowKey ne '"}")));
        var quoted = await ToListAsync(_table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Name eq {"x' or 'a' eq 'a"}")));

        Assert.Empty(injected);
        Assert.Equal("a", Assert.Single(quoted).RowKey);
    }

    [Fact]
    public async Task Typed_filter_literals_match_stored_values()
    {
        var when = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var id = Guid.NewGuid();
        await _table.AddEntityAsync(new TableEntity("typed", "t") { ["Big"] = 9007199254740993L, ["When"] = when, ["Id"] = id });

        var rows = await ToListAsync(_table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {"typed"} and Big eq {9007199254740993L} and When eq {when} and Id eq {id}")));

        Assert.Single(rows);
    }

    private static async Task<List<TableEntity>> ToListAsync(AsyncPageable<TableEntity> pageable)
    {
        var list = new List<TableEntity>();
        await foreach (var entity in pageable)
        {
            list.Add(entity);
        }

        return list;
    }
}
