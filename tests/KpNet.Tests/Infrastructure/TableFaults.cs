using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using KpNet.Hosting;

namespace KpNet.Tests.Infrastructure;

/// <summary>
/// Fails the app's table requests as storage would: all of them with 503 while <see cref="Unavailable"/>, the next few
/// writes of a table with 503, or every write of a partition with the 400 Azure answers for an entity over its limits.
/// Per call, before the clients' retries: an injected failure is thrown to the caller at once, as a
/// <see cref="RequestFailedException"/> with storage's status and error code, and nothing reaches storage.
/// </summary>
public sealed class TableFaults : HttpPipelineSynchronousPolicy
{
    private readonly Lock _lock = new();
    private (string Table, int Count, Func<string, bool> Matching)? _failing;
    private (string Table, string PartitionKey)? _refused;
    private volatile bool _unavailable;

    public TablePolicy Registration => new(this, HttpPipelinePosition.PerCall);

    /// <summary>While true, every table request fails as it does when the storage service cannot be reached.</summary>
    public bool Unavailable
    {
        get => _unavailable;
        set => _unavailable = value;
    }

    /// <param name="matching">Only writes whose request body it accepts fail (and count); every write of the table when null.</param>
    public void FailNextWrites(string table, int count, Func<string, bool>? matching = null)
    {
        lock (_lock)
        {
            _failing = (table, count, matching ?? (_ => true));
        }
    }

    /// <summary>Every write to this partition of the table fails with 400 EntityTooLarge, as often as it is tried.</summary>
    public void RefuseWritesTo(string table, string partitionKey)
    {
        lock (_lock)
        {
            _refused = (table, partitionKey);
        }
    }

    public override void OnSendingRequest(HttpMessage message) => ThrowIfFaulty(message.Request);

    private void ThrowIfFaulty(Request request)
    {
        if (Fault(request) is var (status, errorCode, text))
        {
            throw new RequestFailedException(status, text, errorCode, null);
        }
    }

    private (int Status, string ErrorCode, string Message)? Fault(Request request)
    {
        if (_unavailable)
        {
            return (503, "ServerBusy", "Injected storage failure.");
        }

        if (request.Method == RequestMethod.Get || request.Content is null && request.Method != RequestMethod.Delete)
        {
            return null;
        }

        var url = Uri.UnescapeDataString(request.Uri.ToUri().AbsoluteUri);
        var body = Body(request);
        lock (_lock)
        {
            if (_refused is var (refusedTable, partitionKey) && Addresses(url, body, refusedTable)
                && (url.Contains($"(PartitionKey='{partitionKey}'", StringComparison.Ordinal) || body.Contains($"(PartitionKey='{partitionKey}'", StringComparison.Ordinal)
                    || body.Contains($"\"PartitionKey\":\"{partitionKey}\"", StringComparison.Ordinal)))
            {
                return (400, "EntityTooLarge", "Injected refusal: the entity is larger than 1 MiB.");
            }

            if (_failing is var (failingTable, count, matching) && count > 0 && Addresses(url, body, failingTable) && matching(body))
            {
                _failing = (failingTable, count - 1, matching);
                return (503, "ServerBusy", "Injected storage failure.");
            }
        }

        return null;
    }

    /// <summary>A request to the table itself, or a transaction whose actions address it.</summary>
    private static bool Addresses(string url, string body, string table) =>
        url.Contains($"/{table}(", StringComparison.Ordinal) || url.Contains($"/{table}?", StringComparison.Ordinal) || url.EndsWith($"/{table}", StringComparison.Ordinal)
        || (url.Contains("/$batch", StringComparison.Ordinal) && (body.Contains($"/{table}(", StringComparison.Ordinal) || body.Contains($"/{table}?", StringComparison.Ordinal)));

    private static string Body(Request request)
    {
        if (request.Content is null)
        {
            return string.Empty;
        }

        using var buffer = new MemoryStream();
        request.Content.WriteTo(buffer, CancellationToken.None);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
