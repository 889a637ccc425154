using Azure;
using KpNet.Azure.Storage.Tables;

namespace KpNet.Tests.Telemetry;

/// <summary>
/// Delegates to a real table client, counting the reads and writes; it can fail the next few writes (or the next few
/// writes of a kind of entity) with a 503, stand for storage that is down (every call fails with a 503 until it is back), or refuse a partition's writes with the 400
/// Azure answers for an entity over its limits.
/// </summary>
internal sealed class CountingTableClient(TableClient inner) : TableClient
{
    private int _writes;
    private int _reads;
    private int _failuresLeft;
    private volatile bool _unavailable;
    private volatile string? _refusedPartition;
    private volatile Func<TableEntity, bool> _failing = _ => true;

    public override string Name => inner.Name;

    /// <summary>Writes that reached storage and succeeded.</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>Point reads and queries.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <param name="matching">Only writes of such an entity fail (and count); every write when null.</param>
    public void FailNextWrites(int count, Func<TableEntity, bool>? matching = null)
    {
        _failing = matching ?? (_ => true);
        Volatile.Write(ref _failuresLeft, count);
    }

    /// <summary>While true, every read and write fails as it does when the storage service cannot be reached.</summary>
    public bool Unavailable
    {
        get => _unavailable;
        set => _unavailable = value;
    }

    /// <summary>Every write to this partition fails with 400 EntityTooLarge, as often as it is tried.</summary>
    public void RefuseWritesTo(string partitionKey) => _refusedPartition = partitionKey;

    public void ResetCount()
    {
        Volatile.Write(ref _writes, 0);
        Volatile.Write(ref _reads, 0);
    }

    public override Task<NullableResponse<TableEntity>> GetEntityIfExistsAsync(
        string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) =>
        CountRead(() => inner.GetEntityIfExistsAsync(partitionKey, rowKey, select, cancellationToken));

    public override Task<Response<TableEntity>> GetEntityAsync(
        string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) =>
        CountRead(() => inner.GetEntityAsync(partitionKey, rowKey, select, cancellationToken));

    public override AsyncPageable<TableEntity> QueryAsync(
        string? filter = null, int? maxPerPage = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return _unavailable ? new UnavailablePageable() : inner.QueryAsync(filter, maxPerPage, select, cancellationToken);
    }

    public override Task<Response> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default) =>
        CountAsync([entity], () => inner.AddEntityAsync(entity, cancellationToken));

    public override Task<Response> UpdateEntityAsync(
        TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
        CountAsync([entity], () => inner.UpdateEntityAsync(entity, ifMatch, mode, cancellationToken));

    public override Task<Response> UpsertEntityAsync(
        TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
        CountAsync([entity], () => inner.UpsertEntityAsync(entity, mode, cancellationToken));

    public override Task<Response> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default) =>
        CountAsync([new TableEntity(partitionKey, rowKey)], () => inner.DeleteEntityAsync(partitionKey, rowKey, ifMatch, cancellationToken));

    public override Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(
        IEnumerable<TableTransactionAction> transactionActions, CancellationToken cancellationToken = default)
    {
        var actions = transactionActions.ToList();
        return CountAsync(actions.Select(a => a.Entity).ToList(), () => inner.SubmitTransactionAsync(actions, cancellationToken));
    }

    private static RequestFailedException ServiceUnavailable() => new(503, "Injected storage failure.", "ServerBusy", null);

    private async Task<T> CountRead<T>(Func<Task<T>> read)
    {
        Interlocked.Increment(ref _reads);
        return _unavailable ? throw ServiceUnavailable() : await read();
    }

    private async Task<T> CountAsync<T>(IReadOnlyList<TableEntity> entities, Func<Task<T>> write)
    {
        if (_unavailable || (entities.Any(_failing) && Interlocked.Decrement(ref _failuresLeft) >= 0))
        {
            throw ServiceUnavailable();
        }

        if (_refusedPartition is { } refused && entities.Any(e => e.PartitionKey == refused))
        {
            throw new RequestFailedException(400, "Injected refusal: the entity is larger than 1 MiB.", TableErrorCode.EntityTooLarge, null);
        }

        var result = await write();
        Interlocked.Increment(ref _writes);
        return result;
    }

    private sealed class UnavailablePageable : AsyncPageable<TableEntity>
    {
        public override async IAsyncEnumerable<Page<TableEntity>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
        {
            await Task.FromException(ServiceUnavailable());
            yield break;
        }
    }
}
