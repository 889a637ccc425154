using System.Text;
using Azure.Core;

namespace KpNet.Azure.Storage.Queues;

/// <summary>
/// SharedKey for the Queue (and Blob) service: twelve header slots, the sorted <c>x-ms-*</c> headers,
/// and the resource with every query parameter (name lower-cased, value decoded).
/// </summary>
internal sealed class QueueSharedKeyPolicy(StorageSharedKeyCredential credential) : SharedKeyPolicy(credential, "SharedKey")
{
    private static readonly string[] HeaderSlots =
    [
        "Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
        "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range",
    ];

    internal override string BuildStringToSign(Request request)
    {
        var text = new StringBuilder(request.Method.Method).Append('\n');
        foreach (var slot in HeaderSlots)
        {
            var value = slot switch
            {
                "Content-Length" => request.Content is not null && request.Content.TryComputeLength(out var length) && length > 0
                    ? length.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : string.Empty,
                "Date" => string.Empty, // x-ms-date is always sent and takes precedence.
                _ => HeaderOrEmpty(request, slot),
            };
            text.Append(value).Append('\n');
        }

        foreach (var header in request.Headers
            .Where(h => h.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Name.ToLowerInvariant(), h.Value))
            .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            text.Append(header.Name).Append(':').Append(header.Value.Trim()).Append('\n');
        }

        var uri = request.Uri.ToUri();
        text.Append(CanonicalizedResourcePath(uri));
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        foreach (var name in query.AllKeys.OfType<string>().Select(k => k.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal))
        {
            text.Append('\n').Append(name).Append(':').Append(query[name]);
        }

        return text.ToString();
    }
}
