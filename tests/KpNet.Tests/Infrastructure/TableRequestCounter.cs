using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using KpNet.Hosting;

namespace KpNet.Tests.Infrastructure;

/// <summary>
/// Counts every request the app's table clients send, as "Table operation" (e.g. "GatewayStatus update"): point reads,
/// each page of a query, inserts, updates, upserts, deletes, transactions (and their actions apart, as
/// "Table transaction actions"), every retry; and apart, the requests per storage account. Registered like the app's own table policies (<see cref="TablePolicy"/>);
/// shared by the tests and the bench (tools/KpNet.Bench links this file).
/// </summary>
public sealed partial class TableRequestCounter : HttpPipelinePolicy
{
    private static readonly string[] WriteOperations = ["insert", "update", "upsert", "delete", "transaction"];

    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _byAccount = new(StringComparer.Ordinal);

    /// <summary>Per retry, so it counts what reaches storage: every try, none of the requests a per-call policy answered.</summary>
    public TablePolicy Registration => new(this, HttpPipelinePosition.PerRetry);

    /// <summary>Point reads and query pages of the table.</summary>
    public long Reads(string table) => Count(table, "point read") + Count(table, "query");

    /// <summary>Writes of the table (transactions counted once) that storage accepted.</summary>
    public long Writes(string table) => WriteOperations.Sum(operation => _accepted.GetValueOrDefault($"{table} {operation}"));

    public long Count(string table, string operation) => _counts.GetValueOrDefault($"{table} {operation}");

    public void Reset()
    {
        _counts.Clear();
        _accepted.Clear();
    }

    /// <summary>The counts since the last snapshot, by "Table operation", and starts counting again.</summary>
    public IReadOnlyDictionary<string, long> TakeSnapshot()
    {
        var snapshot = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var key in _counts.Keys)
        {
            snapshot[key] = _counts.TryRemove(key, out var n) ? n : 0;
        }

        _accepted.Clear();
        return snapshot;
    }

    /// <summary>The requests per storage account since the last account snapshot, and starts counting again.</summary>
    public IReadOnlyDictionary<string, long> TakeAccountSnapshot()
    {
        var snapshot = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var key in _byAccount.Keys)
        {
            snapshot[key] = _byAccount.TryRemove(key, out var n) ? n : 0;
        }

        return snapshot;
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var key = Describe(message.Request);
        ProcessNext(message, pipeline);
        Record(key, message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var key = Describe(message.Request);
        await ProcessNextAsync(message, pipeline);
        Record(key, message);
    }

    private void Record((string Table, string Operation, int Actions) request, HttpMessage message)
    {
        var key = $"{request.Table} {request.Operation}";
        _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
        _byAccount.AddOrUpdate(AccountOf(message.Request.Uri.ToUri()), 1, (_, n) => n + 1);
        if (request.Actions > 0)
        {
            _counts.AddOrUpdate($"{request.Table} transaction actions", request.Actions, (_, n) => n + request.Actions);
        }

        if (message.HasResponse && message.Response.Status < 400 && !IsFailedTransaction(request.Operation, message.Response))
        {
            _accepted.AddOrUpdate(key, 1, (_, n) => n + 1);
        }
    }

    /// <summary>A transaction is answered 202 even when it failed; its changeset answer then holds the error.</summary>
    private static bool IsFailedTransaction(string operation, Response response) =>
        operation == "transaction" && FailedPart().IsMatch(response.Content.ToString());

    private static (string Table, string Operation, int Actions) Describe(Request request)
    {
        var path = request.Uri.Path;
        if (path.EndsWith("/$batch", StringComparison.Ordinal))
        {
            using var body = new MemoryStream();
            request.Content?.WriteTo(body, CancellationToken.None);
            var actions = ActionLine().Matches(Encoding.UTF8.GetString(body.ToArray()));
            return (actions.Count > 0 ? TableOf(actions[0].Groups["url"].Value) : "?", "transaction", actions.Count);
        }

        var table = TableOf(path);
        var method = request.Method.Method;
        var addressesEntity = path.Contains("(PartitionKey=", StringComparison.Ordinal);
        var operation = method switch
        {
            "GET" when addressesEntity => "point read",
            "GET" => "query",
            "POST" when table == "Tables" => "create table",
            "POST" => "insert",
            "DELETE" when path.Contains("/Tables(", StringComparison.Ordinal) => "delete table",
            "DELETE" => "delete",
            _ => request.Headers.Contains("If-Match") ? "update" : "upsert",
        };
        return (table, operation, 0);
    }

    /// <summary>The account a request addresses: the first path segment on an emulator (an IP address or localhost), else the host's first label.</summary>
    private static string AccountOf(Uri uri) =>
        uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || uri.IsLoopback
            ? uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "?"
            : uri.Host.Split('.')[0];

    /// <summary>"/account/Table(PartitionKey='…',RowKey='…')" or "http://host/account/Table()?$filter…" → "Table".</summary>
    private static string TableOf(string pathOrUrl)
    {
        var path = pathOrUrl.Split('?', 2)[0];
        var entity = path.IndexOf('(', StringComparison.Ordinal);
        var segments = (entity < 0 ? path : path[..entity]).Split('/');
        return segments[^1];
    }

    [GeneratedRegex(@"^(?:POST|PUT|PATCH|MERGE|DELETE) (?<url>\S+) HTTP/1\.1\r?$", RegexOptions.Multiline)]
    private static partial Regex ActionLine();

    [GeneratedRegex(@"^HTTP/1\.1 [45]\d\d ", RegexOptions.Multiline)]
    private static partial Regex FailedPart();
}
