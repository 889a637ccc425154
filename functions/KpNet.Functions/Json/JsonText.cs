using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace KpNet.Json;

/// <summary>Small helpers that write JSON straight to a string.</summary>
internal static class JsonText
{
    /// <summary>A JSON array as text; <paramref name="writeItems"/> writes the items between the brackets.</summary>
    public static string Array(Action<Utf8JsonWriter> writeItems)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writeItems(writer);
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// A JSON string's text, or false when it holds no Unicode text: an escaped lone or reversed surrogate ("\ud800") or
    /// invalid UTF-8 bytes, which the reader lets through as JSON but cannot turn into a string.
    /// </summary>
    public static bool TryGetString(JsonElement element, [NotNullWhen(true)] out string? value)
    {
        try
        {
            value = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }
}
