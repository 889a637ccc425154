using Azure;
using Azure.Data.Tables;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Storage.Tables;

/// <summary>What the app relies on from the SDK's table client against Azurite: ETag concurrency, uniqueness by insert, merge and replace, misses.</summary>
public sealed class TableClientEntityTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly TableClient _table = AppTables.Client(azurite.ConnectionString, UniqueName.For("entities"));

    public async Task InitializeAsync() => await _table.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task Get_of_missing_entity_fails_with_404_ResourceNotFound()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _table.GetEntityAsync<TableEntity>("p", "missing"));

        Assert.Equal(404, error.Status);
        Assert.Equal("ResourceNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task GetIfExists_of_missing_entity_has_no_value()
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>("p", "missing");

        Assert.False(response.HasValue);
        Assert.Equal(404, response.GetRawResponse().Status);
    }

    [Fact]
    public async Task Keys_with_quotes_and_non_ascii_round_trip()
    {
        await _table.AddEntityAsync(new TableEntity("o'brien", "キー 'x' %20") { ["V"] = 1 });

        var read = (await _table.GetEntityAsync<TableEntity>("o'brien", "キー 'x' %20")).Value;

        Assert.Equal("o'brien", read.PartitionKey);
        Assert.Equal("キー 'x' %20", read.RowKey);
    }

    [Fact]
    public async Task Insert_of_existing_key_fails_with_409_EntityAlreadyExists()
    {
        await _table.AddEntityAsync(new TableEntity("p", "dup"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _table.AddEntityAsync(new TableEntity("p", "dup")));

        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
    }

    [Fact]
    public async Task Update_with_current_etag_succeeds_and_with_stale_etag_fails_with_412()
    {
        var first = await _table.AddEntityAsync(new TableEntity("p", "etag") { ["N"] = 1 });
        var stale = first.Headers.ETag!.Value;

        var second = await _table.UpdateEntityAsync(new TableEntity("p", "etag") { ["N"] = 2 }, stale);
        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => _table.UpdateEntityAsync(new TableEntity("p", "etag") { ["N"] = 3 }, stale));

        Assert.NotEqual(stale, second.Headers.ETag);
        Assert.Equal(412, error.Status);
        Assert.Equal("UpdateConditionNotSatisfied", error.ErrorCode);
        Assert.Equal(2, (await _table.GetEntityAsync<TableEntity>("p", "etag")).Value.GetInt32("N"));
    }

    [Fact]
    public async Task Merge_keeps_unspecified_properties_and_replace_removes_them()
    {
        await _table.AddEntityAsync(new TableEntity("p", "modes") { ["Keep"] = "k", ["N"] = 1 });

        await _table.UpdateEntityAsync(new TableEntity("p", "modes") { ["N"] = 2 }, ETag.All, TableUpdateMode.Merge);
        var merged = (await _table.GetEntityAsync<TableEntity>("p", "modes")).Value;
        await _table.UpdateEntityAsync(new TableEntity("p", "modes") { ["N"] = 3 }, merged.ETag, TableUpdateMode.Replace);
        var replaced = (await _table.GetEntityAsync<TableEntity>("p", "modes")).Value;

        Assert.Equal("k", merged.GetString("Keep"));
        Assert.Equal(2, merged.GetInt32("N"));
        Assert.False(replaced.ContainsKey("Keep"));
        Assert.Equal(3, replaced.GetInt32("N"));
    }

    [Fact]
    public async Task Upsert_inserts_then_merges_or_replaces()
    {
        await _table.UpsertEntityAsync(new TableEntity("p", "upsert") { ["A"] = 1 });
        await _table.UpsertEntityAsync(new TableEntity("p", "upsert") { ["B"] = 2 }, TableUpdateMode.Merge);
        var merged = (await _table.GetEntityAsync<TableEntity>("p", "upsert")).Value;
        await _table.UpsertEntityAsync(new TableEntity("p", "upsert") { ["C"] = 3 }, TableUpdateMode.Replace);
        var replaced = (await _table.GetEntityAsync<TableEntity>("p", "upsert")).Value;

        Assert.Equal((1, 2), (merged.GetInt32("A"), merged.GetInt32("B")));
        Assert.Equal(["C", "PartitionKey", "RowKey", "Timestamp", "odata.etag"], replaced.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Delete_with_stale_etag_fails_with_412_and_with_current_etag_succeeds()
    {
        var added = await _table.AddEntityAsync(new TableEntity("p", "delete") { ["N"] = 1 });
        var stale = added.Headers.ETag!.Value;
        var current = (await _table.UpdateEntityAsync(new TableEntity("p", "delete") { ["N"] = 2 }, stale)).Headers.ETag!.Value;

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _table.DeleteEntityAsync("p", "delete", stale));
        var deleted = await _table.DeleteEntityAsync("p", "delete", current);

        Assert.Equal(412, error.Status);
        Assert.Equal(204, deleted.Status);
        Assert.False((await _table.GetEntityIfExistsAsync<TableEntity>("p", "delete")).HasValue);
    }

    [Fact]
    public async Task Delete_of_missing_entity_returns_404_without_throwing()
    {
        var response = await _table.DeleteEntityAsync("p", "never-existed");

        Assert.Equal(404, response.Status);
    }
}
