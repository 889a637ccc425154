using System.Globalization;
using System.Text;
using Azure;
using Azure.Core;

namespace KpNet.Azure.Storage.Tables;

/// <summary>Writes the multipart/mixed <c>$batch</c> body and reads the per-operation answers.</summary>
internal static class TableTransactionBatch
{
    public const int MaxActions = 100;
    public const int MaxPayloadBytes = 4 * 1024 * 1024;

    private const string Crlf = "\r\n";

    /// <summary>Azure's changeset rules, checked before sending because Azurite skips some of them.</summary>
    public static void Validate(IReadOnlyList<TableTransactionAction> actions)
    {
        if (actions.Count == 0)
        {
            throw new ArgumentException("A transaction needs at least one action.", nameof(actions));
        }

        if (actions.Count > MaxActions)
        {
            throw TableLimitException.Create(
                TableErrorCode.InvalidInput, $"A transaction may hold at most {MaxActions} actions; this one has {actions.Count}.");
        }

        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            ArgumentNullException.ThrowIfNull(action);
            if (action.ActionType == TableTransactionActionType.Delete)
            {
                TableEntityRules.ValidateKey(action.Entity.GetString(TableEntity.PartitionKeyName), nameof(TableEntity.PartitionKey));
                TableEntityRules.ValidateKey(action.Entity.GetString(TableEntity.RowKeyName), nameof(TableEntity.RowKey));
            }
            else
            {
                TableEntityRules.ValidateEntity(action.Entity);
            }

            if (!string.Equals(action.Entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw TableLimitException.Create(
                    TableErrorCode.CommandsInBatchActOnDifferentPartitions,
                    $"All actions of a transaction must share one PartitionKey ('{partitionKey}' and '{action.Entity.PartitionKey}' found).");
            }

            if (!rowKeys.Add(action.Entity.RowKey))
            {
                throw TableLimitException.Create(
                    TableErrorCode.InvalidDuplicateRow, $"RowKey '{action.Entity.RowKey}' appears more than once in the transaction.");
            }
        }
    }

    public static byte[] WriteBody(
        IReadOnlyList<TableTransactionAction> actions, string batchBoundary, Func<TableEntity, string> entityUrl, string tableUrl)
    {
        var changeset = "changeset_" + Guid.NewGuid().ToString("N");
        var body = new StringBuilder();
        body.Append("--").Append(batchBoundary).Append(Crlf)
            .Append("Content-Type: multipart/mixed; boundary=").Append(changeset).Append(Crlf)
            .Append(Crlf);

        foreach (var action in actions)
        {
            var (method, url, sendsEntity, ifMatch) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", tableUrl, true, null),
                TableTransactionActionType.UpdateMerge => ("MERGE", entityUrl(action.Entity), true, IfMatch(action.ETag)),
                TableTransactionActionType.UpdateReplace => ("PUT", entityUrl(action.Entity), true, IfMatch(action.ETag)),
                TableTransactionActionType.UpsertMerge => ("MERGE", entityUrl(action.Entity), true, null),
                TableTransactionActionType.UpsertReplace => ("PUT", entityUrl(action.Entity), true, null),
                TableTransactionActionType.Delete => ("DELETE", entityUrl(action.Entity), false, IfMatch(action.ETag)),
                _ => throw new ArgumentException($"Unknown action type {action.ActionType}.", nameof(actions)),
            };

            body.Append("--").Append(changeset).Append(Crlf)
                .Append("Content-Type: application/http").Append(Crlf)
                .Append("Content-Transfer-Encoding: binary").Append(Crlf)
                .Append(Crlf)
                .Append(method).Append(' ').Append(url).Append(" HTTP/1.1").Append(Crlf)
                .Append("Accept: application/json;odata=minimalmetadata").Append(Crlf)
                .Append("DataServiceVersion: 3.0;").Append(Crlf)
                .Append("Prefer: return-no-content").Append(Crlf);
            if (ifMatch is not null)
            {
                body.Append("If-Match: ").Append(ifMatch).Append(Crlf);
            }

            if (sendsEntity)
            {
                body.Append("Content-Type: application/json").Append(Crlf)
                    .Append(Crlf)
                    .Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(action.Entity)));
            }

            body.Append(Crlf);
        }

        body.Append("--").Append(changeset).Append("--").Append(Crlf)
            .Append("--").Append(batchBoundary).Append("--").Append(Crlf);

        var bytes = Encoding.UTF8.GetBytes(body.ToString());
        if (bytes.Length >= MaxPayloadBytes)
        {
            throw TableLimitException.Create(
                TableErrorCode.RequestBodyTooLarge, $"The transaction payload is {bytes.Length} bytes; it must be under {MaxPayloadBytes}.", 413);
        }

        return bytes;
    }

    public static string IfMatch(ETag etag) => etag == default ? "*" : etag.ToString("H");

    /// <summary>
    /// Splits the multipart answer into one <see cref="TransactionPartResponse"/> per embedded HTTP
    /// response. The outer status is 202 even when the changeset failed.
    /// </summary>
    public static List<TransactionPartResponse> ReadParts(string body)
    {
        var parts = new List<TransactionPartResponse>();
        var lines = body.Split("\r\n");
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("HTTP/1.1 ", StringComparison.Ordinal))
            {
                continue;
            }

            var statusLine = lines[i].Split(' ', 3);
            var status = int.Parse(statusLine[1], CultureInfo.InvariantCulture);
            var reason = statusLine.Length > 2 ? statusLine[2] : string.Empty;

            var headers = new List<HttpHeader>();
            for (i++; i < lines.Length && lines[i].Length > 0; i++)
            {
                var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers.Add(new HttpHeader(lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim()));
                }
            }

            var content = new StringBuilder();
            for (i++; i < lines.Length && !lines[i].StartsWith("--", StringComparison.Ordinal); i++)
            {
                content.Append(lines[i]);
            }

            i--;
            parts.Add(new TransactionPartResponse(status, reason, headers, Encoding.UTF8.GetBytes(content.ToString())));
        }

        return parts;
    }

    /// <summary>The service prefixes the failing action's error message with its index, e.g. <c>2:The specified entity already exists.</c></summary>
    public static int? FailedActionIndex(TransactionPartResponse part)
    {
        if (TableErrorParser.Instance.TryParse(part, out var error, out _) && error?.Message is { } message)
        {
            var colon = message.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && int.TryParse(message.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                return index;
            }
        }

        return null;
    }
}
