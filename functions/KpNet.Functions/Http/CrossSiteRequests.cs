using KpNet.Configuration;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace KpNet.Http;

/// <summary>
/// Keeps other sites from acting with a portal user's session cookie. A page elsewhere can make the browser send the
/// cookie with a form or a text/plain body, but not with a JSON body (that needs a CORS preflight we never grant), and the
/// browser names the page's origin in Origin. So every API change must carry the body type its endpoint reads, and a
/// change to an endpoint that needs a session, made with the cookie, must come from the portal's origin or the app's own.
/// Bearer tokens are never sent by a browser on its own, so their callers (the smartphone app) are not asked.
/// </summary>
public static class CrossSiteRequests
{
    public const string DefaultContentType = "application/json";

    /// <summary>Every API change must carry the body type its endpoint reads (declared with Accepts, else JSON): 415 otherwise.</summary>
    public static IApplicationBuilder UseBodyTypeCheck(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments("/api") && IsChange(request) && HasBody(request) && context.GetEndpoint() is { } endpoint)
            {
                var accepted = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? [DefaultContentType];
                if (!accepted.Any(type => IsMediaType(request.ContentType, type)))
                {
                    await Problems.Create(context, StatusCodes.Status415UnsupportedMediaType, MessageKey.UnsupportedContentType, string.Join(", ", accepted))
                        .ExecuteAsync(context);
                    return;
                }
            }

            await next(context);
        });

    /// <summary>A change made with the session cookie (not a Bearer token) from a page of another site: 403 (sessions ask for this check).</summary>
    public static bool IsCookieChangeFromAnotherSite(HttpContext context) =>
        IsChange(context.Request) && BearerToken.Of(context.Request) is null
        && !IsSameSite(context.Request, PortalOrigin(context.RequestServices.GetRequiredService<IOptions<PortalOptions>>().Value));

    private static bool IsChange(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0 || !string.IsNullOrEmpty(request.ContentType);

    private static bool IsMediaType(string? contentType, string expected) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.Equals(expected, StringComparison.OrdinalIgnoreCase);

    /// <summary>Browsers send Origin with every POST, PUT, PATCH and DELETE; without it, Sec-Fetch-Site must say same-origin (or none: typed by the user).</summary>
    private static bool IsSameSite(HttpRequest request, string? portal)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return request.Headers["Sec-Fetch-Site"].ToString() is "same-origin" or "none";
        }

        return string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
            || (portal is not null && string.Equals(origin, portal, StringComparison.OrdinalIgnoreCase));
    }

    private static string? PortalOrigin(PortalOptions portal) => portal.BaseUrl?.GetLeftPart(UriPartial.Authority);
}
