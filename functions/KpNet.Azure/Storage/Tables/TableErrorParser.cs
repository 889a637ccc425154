using System.Text.Json;
using Azure;
using Azure.Core;

namespace KpNet.Azure.Storage.Tables;

/// <summary>Reads <c>{"odata.error":{"code":…,"message":{"value":…}}}</c>.</summary>
internal sealed class TableErrorParser : RequestFailedDetailsParser
{
    public static readonly TableErrorParser Instance = new();

    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        data = null;
        error = null;
        if (response.Content.ToMemory().IsEmpty)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(response.Content.ToMemory());
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("odata.error", out var odataError)
                && odataError.TryGetProperty("code", out var code))
            {
                var message = odataError.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object
                    && m.TryGetProperty("value", out var value) ? value.GetString() : null;
                error = new ResponseError(code.GetString(), message);
                return true;
            }
        }
        catch (JsonException)
        {
            // Not JSON (e.g. a proxy's HTML page): fall through to the status-only exception.
        }

        return false;
    }
}
