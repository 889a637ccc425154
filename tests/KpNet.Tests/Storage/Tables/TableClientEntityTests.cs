using Azure;
using KpNet.Azure.Storage.Tables;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Storage.Tables;

public sealed class TableClientEntityTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly TableClient _table = new(azurite.ConnectionString, UniqueName.For("entities"));

    public async Task InitializeAsync() => await _table.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task CreateIfNotExists_is_idempotent()
    {
        var again = await _table.CreateIfNotExistsAsync();

        Assert.Equal(409, again.Status);
    }

    [Fact]
    public async Task Insert_then_get_round_trips_every_property_type()
    {
        var when = new DateTimeOffset(2026, 11, 21, 20, 29, 41, TimeSpan.Zero).AddTicks(6813466);
        var id = Guid.NewGuid();
        var entity = new TableEntity("p", "types")
        {
            ["Text"] = "日本語 'quoted'",
            ["Flag"] = true,
            ["Small"] = 42,
            ["Big"] = 9007199254740993L,
            ["Ratio"] = 0.1,
            ["NotANumber"] = double.NaN,
            ["Infinite"] = double.PositiveInfinity,
            ["When"] = when,
            ["Id"] = id,
            ["Bytes"] = new byte[] { 0, 1, 254, 255 },
        };

        var added = await _table.AddEntityAsync(entity);
        var read = (await _table.GetEntityAsync("p", "types")).Value;

        Assert.Equal("日本語 'quoted'", read.GetString("Text"));
        Assert.True(read.GetBoolean("Flag"));
        Assert.Equal(42, read.GetInt32("Small"));
        Assert.Equal(9007199254740993L, read.GetInt64("Big"));
        Assert.Equal(0.1, read.GetDouble("Ratio"));
        Assert.True(double.IsNaN(read.GetDouble("NotANumber")!.Value));
        Assert.Equal(double.PositiveInfinity, read.GetDouble("Infinite"));
        Assert.Equal(when, read.GetDateTimeOffset("When"));
        Assert.Equal(when.Ticks, read.GetDateTimeOffset("When")!.Value.UtcTicks);
        Assert.Equal(id, read.GetGuid("Id"));
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, read.GetBinary("Bytes"));
        Assert.NotNull(read.Timestamp);
        Assert.Equal(added.Headers.ETag, read.ETag);
        Assert.Null(read.GetString("Missing"));
    }

    [Fact]
    public async Task Get_with_select_returns_only_the_selected_properties()
    {
        await _table.AddEntityAsync(new TableEntity("p", "select") { ["A"] = 1, ["B"] = 2 });

        var read = (await _table.GetEntityAsync("p", "select", ["A"])).Value;

        Assert.Equal(1, read.GetInt32("A"));
        Assert.False(read.ContainsKey("B"));
    }

    [Fact]
    public async Task Get_of_missing_entity_fails_with_404_ResourceNotFound()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _table.GetEntityAsync("p", "missing"));

        Assert.Equal(404, error.Status);
        Assert.Equal(TableErrorCode.ResourceNotFound, error.ErrorCode);
    }

    [Fact]
    public async Task GetIfExists_of_missing_entity_has_no_value()
    {
        var response = await _table.GetEntityIfExistsAsync("p", "missing");

        Assert.False(response.HasValue);
        Assert.Equal(404, response.GetRawResponse().Status);
    }

    [Fact]
    public async Task Keys_with_quotes_and_non_ascii_round_trip()
    {
        await _table.AddEntityAsync(new TableEntity("o'brien", "キー 'x' %20") { ["V"] = 1 });

        var read = (await _table.GetEntityAsync("o'brien", "キー 'x' %20")).Value;

        Assert.Equal("o'brien", read.PartitionKey);
        Assert.Equal("キー 'x' %20", read.RowKey);
    }

    [Fact]
    public async Task Insert_of_existing_key_fails_with_409_EntityAlreadyExists()
    {
        await _table.AddEntityAsync(new TableEntity("p", "dup"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _table.AddEntityAsync(new TableEntity("p", "dup")));

        Assert.Equal(409, error.Status);
        Assert.Equal(TableErrorCode.EntityAlreadyExists, error.ErrorCode);
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
        Assert.Equal(TableErrorCode.UpdateConditionNotSatisfied, error.ErrorCode);
        Assert.Equal(2, (await _table.GetEntityAsync("p", "etag")).Value.GetInt32("N"));
    }

    [Fact]
    public async Task Merge_keeps_unspecified_properties_and_replace_removes_them()
    {
        await _table.AddEntityAsync(new TableEntity("p", "modes") { ["Keep"] = "k", ["N"] = 1 });

        await _table.UpdateEntityAsync(new TableEntity("p", "modes") { ["N"] = 2 }, ETag.All, TableUpdateMode.Merge);
        var merged = (await _table.GetEntityAsync("p", "modes")).Value;
        await _table.UpdateEntityAsync(new TableEntity("p", "modes") { ["N"] = 3 }, merged.ETag, TableUpdateMode.Replace);
        var replaced = (await _table.GetEntityAsync("p", "modes")).Value;

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
        var merged = (await _table.GetEntityAsync("p", "upsert")).Value;
        await _table.UpsertEntityAsync(new TableEntity("p", "upsert") { ["C"] = 3 }, TableUpdateMode.Replace);
        var replaced = (await _table.GetEntityAsync("p", "upsert")).Value;

        Assert.Equal((1, 2), (merged.GetInt32("A"), merged.GetInt32("B")));
        Assert.Equal(["C", "PartitionKey", "RowKey", "Timestamp"], replaced.Keys.Order(StringComparer.Ordinal));
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
        Assert.False((await _table.GetEntityIfExistsAsync("p", "delete")).HasValue);
    }

    [Fact]
    public async Task Delete_of_missing_entity_returns_404_without_throwing()
    {
        var response = await _table.DeleteEntityAsync("p", "never-existed");

        Assert.Equal(404, response.Status);
    }
}
