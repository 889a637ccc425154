using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Storage.Tables;

/// <summary>
/// Limits Azure enforces and Azurite does not: the app's table clients (<see cref="AzureTableLimits"/>) refuse them as Azure
/// would, so each of these requests fails here as it would in Azure, and nothing is written.
/// </summary>
public sealed class AzureTableLimitsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly TableClient _table = AppTables.Client(azurite.ConnectionString, UniqueName.For("limits"));

    public async Task InitializeAsync() => await _table.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task Entity_with_more_than_255_properties_fails_with_TooManyProperties_and_is_not_written()
    {
        var entity = new TableEntity("p", "wide");
        for (var i = 0; i < 253; i++)
        {
            entity[$"P{i}"] = i;
        }

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _table.AddEntityAsync(entity));

        Assert.Equal((400, "TooManyProperties"), (error.Status, error.ErrorCode));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Entity_with_252_custom_properties_is_accepted()
    {
        var entity = new TableEntity("p", "widest");
        for (var i = 0; i < 252; i++)
        {
            entity[$"P{i}"] = i;
        }

        await _table.AddEntityAsync(entity);

        Assert.Equal(251, (await _table.GetEntityAsync<TableEntity>("p", "widest")).Value.GetInt32("P251"));
        await _table.DeleteEntityAsync("p", "widest");
    }

    [Fact]
    public async Task Entity_over_1_MiB_fails_with_EntityTooLarge_on_insert_upsert_and_transaction()
    {
        var entity = new TableEntity("p", "large");
        for (var i = 0; i < 20; i++)
        {
            entity[$"Chunk{i}"] = new byte[60 * 1024];
        }

        var insert = await Assert.ThrowsAsync<RequestFailedException>(() => _table.AddEntityAsync(entity));
        var upsert = await Assert.ThrowsAsync<RequestFailedException>(() => _table.UpsertEntityAsync(entity));
        var transaction = await Assert.ThrowsAsync<RequestFailedException>(
            () => _table.SubmitTransactionAsync([new(TableTransactionActionType.Add, entity)]));

        Assert.All([insert, upsert, transaction], e => Assert.Equal((400, "EntityTooLarge"), (e.Status, e.ErrorCode)));
        Assert.All([insert, upsert, transaction], e => Assert.False(StorageFailure.IsTransient(e)));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task String_property_over_32K_characters_fails_with_PropertyValueTooLarge()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => _table.AddEntityAsync(new TableEntity("p", "long") { ["Text"] = new string('x', 32 * 1024 + 1) }));

        Assert.Equal((400, "PropertyValueTooLarge"), (error.Status, error.ErrorCode));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\tb")]
    [InlineData("a\u007Fb")]
    [InlineData("a\u009Fb")]
    public async Task Key_with_forbidden_character_fails_with_OutOfRangeInput(string key)
    {
        var asRowKey = await Assert.ThrowsAsync<RequestFailedException>(() => _table.AddEntityAsync(new TableEntity("p", key)));
        var asPartitionKey = await Assert.ThrowsAsync<RequestFailedException>(() => _table.UpsertEntityAsync(new TableEntity(key, "r")));

        Assert.Equal((400, "OutOfRangeInput"), (asRowKey.Status, asRowKey.ErrorCode));
        Assert.Equal((400, "OutOfRangeInput"), (asPartitionKey.Status, asPartitionKey.ErrorCode));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Key_longer_than_1024_characters_fails_with_OutOfRangeInput()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => _table.AddEntityAsync(new TableEntity("p", new string('k', 1025))));

        Assert.Equal((400, "OutOfRangeInput"), (error.Status, error.ErrorCode));
    }

    [Fact]
    public async Task Transaction_of_more_than_100_actions_fails_with_InvalidInput_and_writes_nothing()
    {
        var actions = Enumerable.Range(0, 101)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i}")));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _table.SubmitTransactionAsync(actions));

        Assert.Equal((400, "InvalidInput"), (error.Status, error.ErrorCode));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Transaction_across_partition_keys_fails_and_writes_nothing()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "one")),
            new(TableTransactionActionType.Add, new TableEntity("q", "two")),
        ]));

        Assert.Equal((400, "CommandsInBatchActOnDifferentPartitions"), (error.Status, error.ErrorCode));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Transaction_touching_one_row_twice_fails_with_InvalidDuplicateRow()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "same")),
            new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "same")),
        ]));

        Assert.Equal((400, "InvalidDuplicateRow"), (error.Status, error.ErrorCode));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Transaction_of_4_MiB_or_more_fails_with_413_RequestBodyTooLarge_and_writes_nothing()
    {
        var actions = Enumerable.Range(0, 5).Select(i =>
        {
            var entity = new TableEntity("p", $"big{i}");
            for (var chunk = 0; chunk < 11; chunk++)
            {
                entity[$"Chunk{chunk}"] = new byte[60 * 1024];
            }

            return new TableTransactionAction(TableTransactionActionType.Add, entity);
        });

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _table.SubmitTransactionAsync(actions));

        Assert.Equal((413, "RequestBodyTooLarge"), (error.Status, error.ErrorCode));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task An_entity_read_back_with_the_most_properties_is_written_again()
    {
        var entity = new TableEntity("p", "full");
        for (var i = 0; i < 252; i++)
        {
            entity[$"P{i}"] = i;
        }

        await _table.AddEntityAsync(entity);
        var read = (await _table.GetEntityAsync<TableEntity>("p", "full")).Value;

        // Timestamp and odata.etag travel with the read entity; they are not properties of its own.
        var response = await _table.UpdateEntityAsync(read, read.ETag, TableUpdateMode.Replace);

        Assert.Equal(204, response.Status);
        await _table.DeleteEntityAsync("p", "full");
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(5000)]
    public async Task Query_asking_for_more_than_1000_entities_a_page_fails_with_400(int maxPerPage)
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(async () =>
        {
            await foreach (var _ in _table.QueryAsync<TableEntity>(maxPerPage: maxPerPage))
            {
            }
        });

        Assert.Equal((400, "OutOfRangeQueryParameterValue"), (error.Status, error.ErrorCode));
    }

    [Fact]
    public async Task Query_of_1000_entities_a_page_is_sent()
    {
        await _table.AddEntityAsync(new TableEntity("p", "one"));

        var pages = 0;
        await foreach (var page in _table.QueryAsync<TableEntity>(maxPerPage: 1000).AsPages())
        {
            pages++;
            Assert.Single(page.Values);
        }

        Assert.Equal(1, pages);
        await _table.DeleteEntityAsync("p", "one");
    }

    private async Task AssertNothingWrittenAsync()
    {
        await foreach (var entity in _table.QueryAsync<TableEntity>())
        {
            Assert.Fail($"Unexpected entity {entity.PartitionKey}/{entity.RowKey}");
        }
    }
}
