using System.Globalization;
using System.Text;
using System.Text.Json;
using KpNet.Hosting.Functions;

namespace KpNet.Hosting.Invocation;

/// <summary>
/// Reads and writes the custom-handler invocation payloads ({"Data","Metadata"} in, {"Outputs","Logs","ReturnValue"} out).
/// The host serialises plain values with JsonConvert and then stores that text as a string, so strings arrive
/// JSON-encoded twice and arrays arrive as strings holding JSON; every reader here accepts both forms.
/// </summary>
public static class InvocationPayload
{
    public static object ReadTriggerInput(FunctionDefinition function, ReadOnlyMemory<byte> payload, string invocationId)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException e)
        {
            throw new MalformedInvocationException("The invocation body is not JSON.", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !TryGetProperty(root, "Data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedInvocationException("The invocation body has no \"Data\" object.");
            }

            var metadata = TryGetProperty(root, "Metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            if (!TryGetProperty(data, function.Trigger.BindingName, out var triggerValue))
            {
                throw new MalformedInvocationException($"\"Data\" has no \"{function.Trigger.BindingName}\" value.");
            }

            var attempt = ReadAttempt(metadata, invocationId);
            return function.Trigger switch
            {
                QueueTrigger => new QueueTriggerInput(
                    ReadString(triggerValue, "Data." + function.Trigger.BindingName),
                    ReadOptionalString(metadata, "Id") ?? "",
                    ReadOptionalInt64(metadata, "DequeueCount") ?? 1,
                    ReadOptionalDate(metadata, "InsertionTime"),
                    attempt),
                EventHubTrigger => ReadEventBatch(triggerValue, metadata, attempt),
                TimerTrigger => ReadTimer(triggerValue, attempt),
                _ => throw new InvalidOperationException($"Unknown trigger {function.Trigger.GetType().Name}."),
            };
        }
    }

    public static byte[] WriteResult(IReadOnlyList<string> logs)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Outputs");
            writer.WriteEndObject();
            writer.WriteStartArray("Logs");
            foreach (var line in logs)
            {
                writer.WriteStringValue(line);
            }

            writer.WriteEndArray();
            writer.WriteNull("ReturnValue");
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Builds the payload the host would send, so local triggers go through the same parsing as Azure.</summary>
    public static byte[] Write(string bindingName, Action<Utf8JsonWriter> writeTriggerValue, Action<Utf8JsonWriter> writeMetadata)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Data");
            writer.WritePropertyName(bindingName);
            writeTriggerValue(writer);
            writer.WriteEndObject();
            writer.WriteStartObject("Metadata");
            writeMetadata(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Writes a string the way the host does: JSON-encoded, then stored as a string.</summary>
    public static void WriteHostString(Utf8JsonWriter writer, string value) => writer.WriteStringValue(JsonSerializer.Serialize(value, InvocationJsonContext.Default.String));

    private static EventBatch ReadEventBatch(JsonElement value, JsonElement metadata, InvocationAttempt attempt)
    {
        using var eventsDocument = ParseArray(value, "Data.events");
        var events = eventsDocument.RootElement;
        using var sequenceNumbers = OptionalArray(metadata, "SequenceNumberArray");
        using var enqueuedTimes = OptionalArray(metadata, "EnqueuedTimeUtcArray");
        using var partitionKeys = OptionalArray(metadata, "PartitionKeyArray");
        var batch = new List<EventData>(events.GetArrayLength());
        var index = 0;
        foreach (var element in events.EnumerateArray())
        {
            var body = element.ValueKind switch
            {
                JsonValueKind.String => Encoding.UTF8.GetBytes(element.GetString()!),
                JsonValueKind.Object or JsonValueKind.Array => Encoding.UTF8.GetBytes(element.GetRawText()),
                _ => throw new MalformedInvocationException($"Event {index} is neither a string nor JSON."),
            };
            batch.Add(new EventData(
                body,
                ElementAt(sequenceNumbers, index) is { } seq ? ReadInt64(seq, "SequenceNumberArray") : null,
                ElementAt(enqueuedTimes, index) is { } enqueued ? ReadDate(enqueued, "EnqueuedTimeUtcArray") : null,
                ElementAt(partitionKeys, index) is { ValueKind: JsonValueKind.String } key ? key.GetString() : null));
            index++;
        }

        string? partitionId = null;
        if (metadata.ValueKind == JsonValueKind.Object && TryGetProperty(metadata, "PartitionContext", out var context))
        {
            using var contextDocument = ParseObject(context, "Metadata.PartitionContext");
            if (TryGetProperty(contextDocument.RootElement, "PartitionId", out var id) && id.ValueKind == JsonValueKind.String)
            {
                partitionId = id.GetString();
            }
        }

        return new EventBatch(batch, partitionId, attempt);
    }

    private static TimerInput ReadTimer(JsonElement value, InvocationAttempt attempt)
    {
        using var timerDocument = ParseObject(value, "Data.timer");
        var timer = timerDocument.RootElement;
        DateTimeOffset? last = null, next = null;
        if (TryGetProperty(timer, "ScheduleStatus", out var status) && status.ValueKind == JsonValueKind.Object)
        {
            last = ReadOptionalDate(status, "Last");
            next = ReadOptionalDate(status, "Next");
        }

        var isPastDue = TryGetProperty(timer, "IsPastDue", out var pastDue) && pastDue.ValueKind == JsonValueKind.True;
        return new TimerInput(isPastDue, last, next, attempt);
    }

    private static InvocationAttempt ReadAttempt(JsonElement metadata, string invocationId)
    {
        if (metadata.ValueKind != JsonValueKind.Object || !TryGetProperty(metadata, "RetryContext", out var retryValue))
        {
            return InvocationAttempt.First(invocationId);
        }

        using var retryDocument = ParseObject(retryValue, "Metadata.RetryContext");
        var retry = retryDocument.RootElement;
        return new InvocationAttempt(
            invocationId,
            (int)(ReadOptionalInt64(retry, "RetryCount") ?? 0),
            (int)(ReadOptionalInt64(retry, "MaxRetryCount") ?? 0));
    }

    private static string ReadString(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.String => UnwrapJsonString(value.GetString()!),
        JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => throw new MalformedInvocationException($"{path} is null."),
    };

    private static string UnwrapJsonString(string text)
    {
        if (text.Length < 2 || text[0] != '"' || text[^1] != '"')
        {
            return text;
        }

        try
        {
            return JsonSerializer.Deserialize(text, InvocationJsonContext.Default.String) ?? text;
        }
        catch (JsonException)
        {
            return text;
        }
    }

    private static string? ReadOptionalString(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && TryGetProperty(obj, name, out var value) && value.ValueKind != JsonValueKind.Null
            ? ReadString(value, name)
            : null;

    private static long? ReadOptionalInt64(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && TryGetProperty(obj, name, out var value) && value.ValueKind != JsonValueKind.Null
            ? ReadInt64(value, name)
            : null;

    private static long ReadInt64(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && long.TryParse(UnwrapJsonString(value.GetString()!), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new MalformedInvocationException($"{name} is not an integer.");
    }

    private static DateTimeOffset? ReadOptionalDate(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && TryGetProperty(obj, name, out var value) && value.ValueKind != JsonValueKind.Null
            ? ReadDate(value, name)
            : null;

    private static DateTimeOffset ReadDate(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(UnwrapJsonString(value.GetString()!), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            return date;
        }

        throw new MalformedInvocationException($"{name} is not a date.");
    }

    private static JsonDocument ParseArray(JsonElement value, string path) => ParseNested(value, JsonValueKind.Array, path);

    private static JsonDocument ParseObject(JsonElement value, string path) => ParseNested(value, JsonValueKind.Object, path);

    private static JsonDocument? OptionalArray(JsonElement metadata, string name) =>
        metadata.ValueKind == JsonValueKind.Object && TryGetProperty(metadata, name, out var value) && value.ValueKind != JsonValueKind.Null
            ? ParseArray(value, "Metadata." + name)
            : null;

    private static JsonElement? ElementAt(JsonDocument? array, int index) =>
        array is not null && index < array.RootElement.GetArrayLength() ? array.RootElement[index] : null;

    // Objects and arrays may come as themselves or as a string holding their JSON text.
    private static JsonDocument ParseNested(JsonElement value, JsonValueKind expected, string path)
    {
        if (value.ValueKind == expected)
        {
            return JsonDocument.Parse(value.GetRawText());
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            try
            {
                var document = JsonDocument.Parse(value.GetString()!);
                if (document.RootElement.ValueKind == expected)
                {
                    return document;
                }

                document.Dispose();
            }
            catch (JsonException e)
            {
                throw new MalformedInvocationException($"{path} is not JSON.", e);
            }
        }

        throw new MalformedInvocationException($"{path} is not a JSON {expected.ToString().ToLowerInvariant()}.");
    }

    private static bool TryGetProperty(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }
}
