using System.Diagnostics;
using OpenTelemetry;

namespace KpNet.Observability;

/// <summary>
/// Keeps personal data out of the URLs that storage and mail spans record. A table entity is addressed by its keys in
/// the path (<c>Accounts(PartitionKey='user%40example.jp',RowKey='…')</c>) and ours include e-mail addresses and phone
/// numbers, as do query filters; so every recorded URL keeps its scheme, host and path up to the first key or query.
/// </summary>
public sealed class UrlRedaction : BaseProcessor<Activity>
{
    private static readonly string[] UrlTags = ["url.full", "http.url"];

    public override void OnEnd(Activity data)
    {
        foreach (var tag in UrlTags)
        {
            if (data.GetTagItem(tag) is string url && Redact(url) is { } redacted)
            {
                data.SetTag(tag, redacted);
            }
        }
    }

    /// <returns>The URL cut before its entity keys or query, or null when it holds neither.</returns>
    public static string? Redact(string url)
    {
        var cut = url.AsSpan().IndexOfAny('(', '?');
        return cut < 0 ? null : url[..cut];
    }
}
