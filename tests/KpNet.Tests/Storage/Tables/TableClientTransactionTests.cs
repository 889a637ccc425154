using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Storage.Tables;

public sealed class TableClientTransactionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly TableClient _table = AppTables.Client(azurite.ConnectionString, UniqueName.For("transactions"));

    public async Task InitializeAsync() => await _table.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task Transaction_applies_every_action_type_and_returns_per_action_etags()
    {
        var existing = await _table.AddEntityAsync(new TableEntity("tx", "update") { ["N"] = 1 });
        await _table.AddEntityAsync(new TableEntity("tx", "delete"));

        var responses = (await _table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("tx", "add") { ["N"] = 1 }),
            new(TableTransactionActionType.UpdateMerge, new TableEntity("tx", "update") { ["M"] = 2 }, existing.Headers.ETag!.Value),
            new(TableTransactionActionType.UpsertReplace, new TableEntity("tx", "upsert") { ["N"] = 3 }),
            new(TableTransactionActionType.Delete, new TableEntity("tx", "delete")),
        ])).Value;

        Assert.Equal(4, responses.Count);
        Assert.All(responses, r => Assert.Equal(204, r.Status));
        Assert.Equal((await _table.GetEntityAsync<TableEntity>("tx", "add")).Value.ETag, responses[0].Headers.ETag);
        var updated = (await _table.GetEntityAsync<TableEntity>("tx", "update")).Value;
        Assert.Equal((1, 2), (updated.GetInt32("N"), updated.GetInt32("M")));
        Assert.Equal(updated.ETag, responses[1].Headers.ETag);
        Assert.NotEqual(existing.Headers.ETag, responses[1].Headers.ETag);
        Assert.Equal((await _table.GetEntityAsync<TableEntity>("tx", "upsert")).Value.ETag, responses[2].Headers.ETag);
        Assert.False((await _table.GetEntityIfExistsAsync<TableEntity>("tx", "delete")).HasValue);
    }

    [Fact]
    public async Task Transaction_whose_third_action_conflicts_applies_nothing_and_reports_index_2()
    {
        await _table.AddEntityAsync(new TableEntity("rollback", "c"));

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => _table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("rollback", "a")),
            new(TableTransactionActionType.Add, new TableEntity("rollback", "b")),
            new(TableTransactionActionType.Add, new TableEntity("rollback", "c")),
        ]));

        Assert.Equal(2, error.FailedTransactionActionIndex);
        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        Assert.False((await _table.GetEntityIfExistsAsync<TableEntity>("rollback", "a")).HasValue);
        Assert.False((await _table.GetEntityIfExistsAsync<TableEntity>("rollback", "b")).HasValue);
    }

    [Fact]
    public async Task Transaction_with_stale_etag_fails_with_412()
    {
        var added = await _table.AddEntityAsync(new TableEntity("stale", "s"));
        await _table.UpsertEntityAsync(new TableEntity("stale", "s") { ["N"] = 1 });

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => _table.SubmitTransactionAsync(
            [new(TableTransactionActionType.UpdateReplace, new TableEntity("stale", "s"), added.Headers.ETag!.Value)]));

        Assert.Equal(412, error.Status);
        Assert.Equal(0, error.FailedTransactionActionIndex);
        Assert.True(StorageFailure.IsTransient(error), "a lost race is tried again from a fresh read");
    }
}
