using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Azure;

namespace KpNet.Azure.Storage.Tables;

/// <summary>The OData JSON entity format: non-JSON types carry a <c>Name@odata.type</c> annotation.</summary>
internal static class TableEntityJson
{
    private const string TypeSuffix = "@odata.type";
    private const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static byte[] Serialize(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, entity);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, TableEntity entity)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in entity)
        {
            if (name == TableEntity.TimestampName || value is null)
            {
                continue;
            }

            switch (value)
            {
                case string s:
                    writer.WriteString(name, s);
                    break;
                case bool b:
                    writer.WriteBoolean(name, b);
                    break;
                case int i:
                    writer.WriteNumber(name, i);
                    break;
                case long l:
                    // As a JSON number Azurite rounds it to a double; Azure expects the annotated string.
                    WriteAnnotated(writer, name, "Edm.Int64", l.ToString(CultureInfo.InvariantCulture));
                    break;
                case double d:
                    writer.WriteString(name + TypeSuffix, "Edm.Double");
                    if (double.IsFinite(d))
                    {
                        writer.WriteNumber(name, d);
                    }
                    else
                    {
                        writer.WriteString(name, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                    }

                    break;
                case DateTimeOffset dto:
                    WriteAnnotated(writer, name, "Edm.DateTime", FormatDateTime(dto));
                    break;
                case DateTime dt:
                    WriteAnnotated(writer, name, "Edm.DateTime", FormatDateTime(dt));
                    break;
                case Guid g:
                    WriteAnnotated(writer, name, "Edm.Guid", g.ToString("D"));
                    break;
                case byte[] bytes:
                    WriteAnnotated(writer, name, "Edm.Binary", Convert.ToBase64String(bytes));
                    break;
                case BinaryData data:
                    WriteAnnotated(writer, name, "Edm.Binary", Convert.ToBase64String(data.ToMemory().Span));
                    break;
                default:
                    throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType()}.", nameof(entity));
            }
        }

        writer.WriteEndObject();
    }

    public static string FormatDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString(DateTimeFormat, CultureInfo.InvariantCulture);

    /// <summary>An unspecified <see cref="DateTimeKind"/> is taken as UTC.</summary>
    public static string FormatDateTime(DateTime value) =>
        (value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value).ToString(DateTimeFormat, CultureInfo.InvariantCulture);

    public static TableEntity Read(JsonElement element)
    {
        var entity = new TableEntity();
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            if (name == "odata.etag")
            {
                entity.ETag = new ETag(property.Value.GetString() ?? string.Empty);
                continue;
            }

            if (name.StartsWith("odata.", StringComparison.Ordinal) || name.EndsWith(TypeSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var edmType = element.TryGetProperty(name + TypeSuffix, out var annotation) ? annotation.GetString() : null;
            if (name == TableEntity.TimestampName)
            {
                edmType = "Edm.DateTime";
            }

            entity[name] = ReadValue(property.Value, edmType);
        }

        return entity;
    }

    private static void WriteAnnotated(Utf8JsonWriter writer, string name, string edmType, string value)
    {
        writer.WriteString(name + TypeSuffix, edmType);
        writer.WriteString(name, value);
    }

    private static object? ReadValue(JsonElement value, string? edmType)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return edmType switch
        {
            "Edm.Int64" => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
            "Edm.DateTime" => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            "Edm.Guid" => Guid.Parse(value.GetString()!, CultureInfo.InvariantCulture),
            "Edm.Binary" => value.GetBytesFromBase64(),
            "Edm.Double" => value.ValueKind == JsonValueKind.String ? ParseSpecialDouble(value.GetString()!) : value.GetDouble(),
            "Edm.Int32" => value.GetInt32(),
            _ => value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number => IsIntegral(value) && value.TryGetInt32(out var i) ? (object)i : value.GetDouble(),
                _ => throw new FormatException($"Unexpected JSON {value.ValueKind} in a table entity."),
            },
        };
    }

    private static bool IsIntegral(JsonElement number) => number.GetRawText().AsSpan().IndexOfAny(".eE") < 0;

    private static double ParseSpecialDouble(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };
}
