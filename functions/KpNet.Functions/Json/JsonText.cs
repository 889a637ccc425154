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
}
