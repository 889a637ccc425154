using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KpNet.Azure.Storage.Tables;

/// <summary>
/// Refuses a Table service request that breaks a limit Azure enforces and Azurite does not with the
/// <see cref="RequestFailedException"/> the SDK throws for Azure's answer (400 with Azure's error code, 413 for a
/// transaction over 4 MiB), so tests on Azurite fail where Azure would
/// (learn.microsoft.com: "Understanding the Table service data model", "Performing entity group transactions",
/// "Table Storage error codes"). Checked: keys (at most 1 KiB, no <c>/ \ # ?</c> or control characters), entities
/// (255 properties with PartitionKey, RowKey and Timestamp, 64 KiB a property value, 1 MiB in all, by the documented
/// size formula), transactions (100 actions on one partition, each row once, under 4 MiB) and <c>$top</c> (at most 1,000).
/// Added per call, so a refused request is never retried.
/// </summary>
public sealed class AzureTableLimits : HttpPipelineSynchronousPolicy
{
    public const int MaxProperties = 255;
    public const int MaxEntityBytes = 1024 * 1024;
    public const int MaxPropertyValueBytes = 64 * 1024;
    public const int MaxKeyLength = 1024;
    public const int MaxTransactionActions = 100;
    public const int MaxTransactionBytes = 4 * 1024 * 1024;
    public const int MaxPageSize = 1000;

    /// <summary>PartitionKey, RowKey and Timestamp count towards <see cref="MaxProperties"/>.</summary>
    private const int SystemProperties = 3;

    private static ReadOnlySpan<byte> TypeAnnotation => "@odata.type"u8;

    public override void OnSendingRequest(HttpMessage message) => ThrowIfRefused(message.Request);

    /// <exception cref="RequestFailedException">Azure's status and error code, as the SDK throws them for Azure's answer.</exception>
    private static void ThrowIfRefused(Request request)
    {
        if (Refusal(request) is { } refusal)
        {
            throw new RequestFailedException(
                refusal.Status, refusal.Message + " (refused before sending: Azure enforces this limit, Azurite does not)", refusal.ErrorCode, null);
        }
    }

    /// <summary>Why Azure would refuse the request, or null when it would not on account of these limits.</summary>
    private static Refused? Refusal(Request request)
    {
        var path = request.Uri.Path;
        if (path.EndsWith("/$batch", StringComparison.Ordinal))
        {
            return request.Content is null ? null : TransactionRefusal(Body(request.Content));
        }

        if (request.Method == RequestMethod.Get && Top(request.Uri.Query) is > MaxPageSize and var top)
        {
            return new Refused(400, "OutOfRangeQueryParameterValue", $"$top is {top}; a query returns at most {MaxPageSize} entities a page.");
        }

        if (KeysRefusal(path) is { } keys)
        {
            return keys;
        }

        return request.Content is not null && request.Method != RequestMethod.Get && !IsTableOperation(path)
            ? EntityRefusal(Body(request.Content).Span)
            : null;
    }

    private static bool IsTableOperation(string path) => path.EndsWith("/Tables", StringComparison.Ordinal);

    private static ReadOnlyMemory<byte> Body(RequestContent content)
    {
        var buffer = new MemoryStream();
        content.WriteTo(buffer, CancellationToken.None);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static int? Top(string query)
    {
        const string name = "$top=";
        var at = query.IndexOf(name, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var value = query.AsSpan(at + name.Length);
        var end = value.IndexOf('&');
        return int.TryParse(end < 0 ? value : value[..end], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var top)
            ? top
            : null;
    }

    /// <summary>The keys of an entity address <c>…/Table(PartitionKey='p',RowKey='r')</c> in a path or URL.</summary>
    private static (string PartitionKey, string RowKey)? KeysOf(string pathOrUrl)
    {
        const string partitionStart = "(PartitionKey='";
        var at = pathOrUrl.IndexOf(partitionStart, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var address = Uri.UnescapeDataString(pathOrUrl[(at + partitionStart.Length)..]);
        var partitionKey = Quoted(address, 0, out var next);
        const string rowStart = ",RowKey='";
        return address.AsSpan(next).StartsWith(rowStart, StringComparison.Ordinal)
            ? (partitionKey, Quoted(address, next + rowStart.Length, out _))
            : null;
    }

    /// <summary>An OData string literal's text up to its closing quote (a doubled quote is one quote).</summary>
    private static string Quoted(string text, int start, out int afterClosingQuote)
    {
        var value = new StringBuilder();
        var i = start;
        for (; i < text.Length; i++)
        {
            if (text[i] == '\'')
            {
                if (i + 1 < text.Length && text[i + 1] == '\'')
                {
                    value.Append('\'');
                    i++;
                    continue;
                }

                break;
            }

            value.Append(text[i]);
        }

        afterClosingQuote = i + 1;
        return value.ToString();
    }

    private static Refused? KeysRefusal(string pathOrUrl) =>
        KeysOf(pathOrUrl) is var (partitionKey, rowKey) ? KeyRefusal(partitionKey, "PartitionKey") ?? KeyRefusal(rowKey, "RowKey") : null;

    private static Refused? KeyRefusal(string key, string name)
    {
        if (key.Length > MaxKeyLength)
        {
            return new Refused(400, "OutOfRangeInput", $"{name} is longer than {MaxKeyLength} characters.");
        }

        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' or (>= '\u0000' and <= '\u001F') or (>= '\u007F' and <= '\u009F'))
            {
                return new Refused(400, "OutOfRangeInput", $"{name} contains '/', '\\', '#', '?' or a control character (U+{(int)c:X4}).");
            }
        }

        return null;
    }

    /// <summary>Checks an entity's JSON as the SDK writes it (a property's type annotation next to its value).</summary>
    private static Refused? EntityRefusal(ReadOnlySpan<byte> json) => EntityRefusal(json, out _, out _);

    private static Refused? EntityRefusal(ReadOnlySpan<byte> json, out string? partitionKey, out string? rowKey)
    {
        partitionKey = null;
        rowKey = null;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var customProperties = 0;
        long size = 4;
        var valueName = ReadOnlySpan<byte>.Empty;
        long valueSize = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.EndsWith(TypeAnnotation))
            {
                // The SDK writes a property's type right after its value: binary data, a long or a time is sent as text that
                // takes more room than the value it stands for.
                if (name[..^TypeAnnotation.Length].SequenceEqual(valueName) && reader.TokenType == JsonTokenType.String)
                {
                    var typed = TypedSize(reader.ValueSpan, valueSize);
                    size += typed - valueSize;
                    valueSize = typed;
                }

                continue;
            }

            if (ValueRefusal(valueName, valueSize) is { } tooLarge)
            {
                return tooLarge;
            }

            valueName = ReadOnlySpan<byte>.Empty;
            if (name.StartsWith("odata."u8) || reader.TokenType == JsonTokenType.Null || name.SequenceEqual("Timestamp"u8))
            {
                continue;
            }

            if (name.SequenceEqual("PartitionKey"u8) || name.SequenceEqual("RowKey"u8))
            {
                var key = reader.GetString() ?? string.Empty;
                var isPartitionKey = name[0] == (byte)'P';
                if (KeyRefusal(key, isPartitionKey ? "PartitionKey" : "RowKey") is { } refused)
                {
                    return refused;
                }

                if (isPartitionKey)
                {
                    partitionKey = key;
                }
                else
                {
                    rowKey = key;
                }

                size += key.Length * 2;
                continue;
            }

            customProperties++;
            valueName = name;
            valueSize = ValueSize(ref reader);
            size += 8 + (Encoding.UTF8.GetCharCount(name) * 2) + valueSize;
        }

        if (ValueRefusal(valueName, valueSize) is { } last)
        {
            return last;
        }

        if (customProperties > MaxProperties - SystemProperties)
        {
            return new Refused(
                400,
                "TooManyProperties",
                $"The entity has {customProperties + SystemProperties} properties (PartitionKey, RowKey and Timestamp included); the limit is {MaxProperties}.");
        }

        return size > MaxEntityBytes
            ? new Refused(400, "EntityTooLarge", $"The entity is about {size} bytes; the limit is {MaxEntityBytes}.")
            : null;
    }

    private static Refused? ValueRefusal(ReadOnlySpan<byte> name, long valueSize) =>
        valueSize > MaxPropertyValueBytes + 4
            ? new Refused(400, "PropertyValueTooLarge", $"Property '{Encoding.UTF8.GetString(name)}' is larger than {MaxPropertyValueBytes} bytes.")
            : null;

    /// <summary>Stored size per the documented formula: a string is UTF-16 plus a 4-byte length.</summary>
    private static long ValueSize(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => 4 + (2L * (reader.ValueIsEscaped || reader.HasValueSequence
            ? reader.GetString()!.Length
            : Encoding.UTF8.GetCharCount(reader.ValueSpan))),
        JsonTokenType.True or JsonTokenType.False => 1,
        JsonTokenType.Number => reader.TryGetInt32(out _) ? 4 : 8,
        _ => 0,
    };

    /// <summary>The size of a string-encoded value once its annotated type is known.</summary>
    private static long TypedSize(ReadOnlySpan<byte> edmType, long asText) => edmType switch
    {
        _ when edmType.SequenceEqual("Edm.Binary"u8) => 4 + (((asText - 4) / 2) * 3 / 4),
        _ when edmType.SequenceEqual("Edm.Guid"u8) => 16,
        _ when edmType.SequenceEqual("Edm.Int64"u8) || edmType.SequenceEqual("Edm.DateTime"u8) || edmType.SequenceEqual("Edm.Double"u8) => 8,
        _ => asText,
    };

    private static Refused? TransactionRefusal(ReadOnlyMemory<byte> body)
    {
        if (body.Length >= MaxTransactionBytes)
        {
            return new Refused(413, "RequestBodyTooLarge", $"The transaction payload is {body.Length} bytes; it must be under {MaxTransactionBytes}.");
        }

        var actions = TransactionActions(body);
        if (actions.Count > MaxTransactionActions)
        {
            return new Refused(400, "InvalidInput", $"The batch request operation exceeds the maximum {MaxTransactionActions} changes per change set.");
        }

        string? partition = null;
        var rows = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < actions.Count; index++)
        {
            var (requestLine, entityRange) = actions[index];
            var entity = body.Span[entityRange];
            if (KeysRefusal(requestLine) is { } keys)
            {
                return keys.InAction(index);
            }

            string? partitionKey = null;
            string? rowKey = null;
            if (entity.Length > 0 && EntityRefusal(entity, out partitionKey, out rowKey) is { } refused)
            {
                return refused.InAction(index);
            }

            if (KeysOf(requestLine) is var (addressedPartition, addressedRow))
            {
                (partitionKey, rowKey) = (addressedPartition, addressedRow);
            }

            partition ??= partitionKey;
            if (!string.Equals(partition, partitionKey, StringComparison.Ordinal))
            {
                return new Refused(400, "CommandsInBatchActOnDifferentPartitions", "All commands in a batch must operate on the same entity group.").InAction(index);
            }

            if (rowKey is not null && !rows.Add(rowKey))
            {
                return new Refused(400, "InvalidDuplicateRow", $"A command with RowKey '{rowKey}' is already present in the batch. An entity can appear only once in a batch.").InAction(index);
            }
        }

        return null;
    }

    /// <summary>
    /// The changeset's operations of a <c>$batch</c> body: each one's request line and entity JSON (empty for a delete).
    /// </summary>
    private static List<(string RequestLine, Range Entity)> TransactionActions(ReadOnlyMemory<byte> body)
    {
        var actions = new List<(string, Range)>();
        var changeset = ChangesetBoundary(body.Span);
        if (changeset is null)
        {
            return actions;
        }

        var delimiter = Encoding.ASCII.GetBytes("--" + changeset);
        var span = body.Span;
        var start = span.IndexOf(delimiter);
        while (start >= 0)
        {
            var partStart = start + delimiter.Length;
            var length = span[partStart..].IndexOf(delimiter);
            if (span[partStart..].StartsWith("--"u8) || length < 0)
            {
                break;
            }

            actions.Add(Operation(span, partStart, length));
            start = partStart + length;
        }

        return actions;
    }

    private static string? ChangesetBoundary(ReadOnlySpan<byte> body)
    {
        var marker = "boundary=changeset_"u8;
        var at = body.IndexOf(marker);
        if (at < 0)
        {
            return null;
        }

        var value = body[(at + "boundary="u8.Length)..];
        var end = value.IndexOfAny((byte)'\r', (byte)'\n', (byte)';');
        return Encoding.ASCII.GetString(end < 0 ? value : value[..end]);
    }

    /// <summary>
    /// One changeset part of the body: its MIME headers, a blank line, the HTTP request line and headers, a blank line,
    /// the entity (none for a delete).
    /// </summary>
    private static (string RequestLine, Range Entity) Operation(ReadOnlySpan<byte> body, int partStart, int partLength)
    {
        var blank = "\r\n\r\n"u8;
        var part = body.Slice(partStart, partLength);
        var afterMimeHeaders = part.IndexOf(blank);
        if (afterMimeHeaders < 0)
        {
            return (string.Empty, default);
        }

        var httpStart = afterMimeHeaders + blank.Length;
        var http = part[httpStart..];
        var lineEnd = http.IndexOf("\r\n"u8);
        var requestLine = Encoding.UTF8.GetString(lineEnd < 0 ? http : http[..lineEnd]);
        var afterHeaders = http.IndexOf(blank);
        if (afterHeaders < 0)
        {
            return (requestLine, default);
        }

        var entityStart = httpStart + afterHeaders + blank.Length;
        var entityLength = part[entityStart..].TrimEnd("\r\n"u8).Length;
        return (requestLine, new Range(partStart + entityStart, partStart + entityStart + entityLength));
    }

    /// <summary>Azure's answer to a request it refuses: its status, error code and message.</summary>
    private sealed record Refused(int Status, string ErrorCode, string Message)
    {
        /// <summary>Azure prefixes a refused transaction action's message with its index.</summary>
        public Refused InAction(int index) => this with { Message = $"{index}:{Message}" };
    }
}
