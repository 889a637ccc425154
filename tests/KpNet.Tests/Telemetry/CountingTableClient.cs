using Azure;
using KpNet.Azure.Storage.Tables;

namespace KpNet.Tests.Telemetry;

/// <summary>Delegates to a real table client, counting the reads and writes and optionally failing the next few writes with a 503.</summary>
internal sealed class CountingTableClient(TableClient inner) : TableClient
{
    private int _writes;
    private int _reads;
    private int _failuresLeft;

    public override string Name => inner.Name;

    /// <summary>Writes that reached storage and succeeded.</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>Point reads and queries.</summary>
    public int Reads => Volatile.Read(ref _reads);

    public void FailNextWrites(int count) => Volatile.Write(ref _failuresLeft, count);

    public void ResetCount()
    {
        Volatile.Write(ref _writes, 0);
        Volatile.Write(ref _reads, 0);
    }

    public override Task<NullableResponse<TableEntity>> GetEntityIfExistsAsync(
        string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) =>
        CountRead(inner.GetEntityIfExistsAsync(partitionKey, rowKey, select, cancellationToken));

    public override Task<Response<TableEntity>> GetEntityAsync(
        string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) =>
        CountRead(inner.GetEntityAsync(partitionKey, rowKey, select, cancellationToken));

    public override AsyncPageable<TableEntity> QueryAsync(
        string? filter = null, int? maxPerPage = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) =>
        CountRead(inner.QueryAsync(filter, maxPerPage, select, cancellationToken));

    public override Task<Response> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default) =>
        CountAsync(() => inner.AddEntityAsync(entity, cancellationToken));

    public override Task<Response> UpdateEntityAsync(
        TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
        CountAsync(() => inner.UpdateEntityAsync(entity, ifMatch, mode, cancellationToken));

    public override Task<Response> UpsertEntityAsync(
        TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
        CountAsync(() => inner.UpsertEntityAsync(entity, mode, cancellationToken));

    public override Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(
        IEnumerable<TableTransactionAction> transactionActions, CancellationToken cancellationToken = default) =>
        CountAsync(() => inner.SubmitTransactionAsync(transactionActions, cancellationToken));

    private T CountRead<T>(T read)
    {
        Interlocked.Increment(ref _reads);
        return read;
    }

    private async Task<T> CountAsync<T>(Func<Task<T>> write)
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new RequestFailedException(503, "Injected storage failure.", "ServerBusy", null);
        }

        var result = await write();
        Interlocked.Increment(ref _writes);
        return result;
    }
}
