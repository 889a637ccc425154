using Azure;
using KpNet.Azure.Storage.Tables;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Storage.Tables;

/// <summary>Limits Azure enforces and Azurite does not: the client must reject them before sending.</summary>
public sealed class TableClientLimitTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly TableClient _table = new(azurite.ConnectionString, UniqueName.For("limits"));

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

        Assert.Equal((400, TableErrorCode.TooManyProperties), (error.Status, error.ErrorCode));
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

        Assert.Equal(251, (await _table.GetEntityAsync("p", "widest")).Value.GetInt32("P251"));
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

        Assert.All([insert, upsert, transaction], e => Assert.Equal((400, TableErrorCode.EntityTooLarge), (e.Status, e.ErrorCode)));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task String_property_over_32K_characters_fails_with_PropertyValueTooLarge()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => _table.AddEntityAsync(new TableEntity("p", "long") { ["Text"] = new string('x', 32 * 1024 + 1) }));

        Assert.Equal((400, TableErrorCode.PropertyValueTooLarge), (error.Status, error.ErrorCode));
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

        Assert.Equal((400, TableErrorCode.OutOfRangeInput), (asRowKey.Status, asRowKey.ErrorCode));
        Assert.Equal((400, TableErrorCode.OutOfRangeInput), (asPartitionKey.Status, asPartitionKey.ErrorCode));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Key_longer_than_1024_characters_fails_with_OutOfRangeInput()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => _table.AddEntityAsync(new TableEntity("p", new string('k', 1025))));

        Assert.Equal((400, TableErrorCode.OutOfRangeInput), (error.Status, error.ErrorCode));
    }

    [Fact]
    public async Task Transaction_of_more_than_100_actions_fails_with_InvalidInput_and_writes_nothing()
    {
        var actions = Enumerable.Range(0, 101)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i}")));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _table.SubmitTransactionAsync(actions));

        Assert.Equal((400, TableErrorCode.InvalidInput), (error.Status, error.ErrorCode));
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

        Assert.Equal((400, TableErrorCode.CommandsInBatchActOnDifferentPartitions), (error.Status, error.ErrorCode));
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

        Assert.Equal((400, TableErrorCode.InvalidDuplicateRow), (error.Status, error.ErrorCode));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Empty_transaction_is_an_argument_error()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _table.SubmitTransactionAsync([]));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1abc")]
    [InlineData("my-table")]
    public void Invalid_table_name_is_rejected_by_the_constructor(string name)
    {
        Assert.Throws<ArgumentException>(() => new TableClient(azurite.ConnectionString, name));
    }

    private async Task AssertNothingWrittenAsync()
    {
        await foreach (var entity in _table.QueryAsync())
        {
            Assert.Fail($"Unexpected entity {entity.PartitionKey}/{entity.RowKey}");
        }
    }
}
