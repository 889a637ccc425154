using Azure;

namespace KpNet.Azure.Storage;

/// <summary>Pages fetched one request at a time until the service stops returning a continuation.</summary>
internal sealed class DelegatingAsyncPageable<T>(
    Func<string?, int?, CancellationToken, Task<Page<T>>> fetchPage,
    CancellationToken cancellationToken) : AsyncPageable<T>(cancellationToken)
    where T : notnull
{
    public override async IAsyncEnumerable<Page<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
    {
        var token = continuationToken;
        do
        {
            var page = await fetchPage(token, pageSizeHint, CancellationToken);
            yield return page;
            token = page.ContinuationToken;
        }
        while (token is not null);
    }
}
