using KpNet.Hosting.Functions;
using KpNet.Http;
using Microsoft.AspNetCore.Http.Features;

namespace KpNet.Hosting.Local;

/// <summary>
/// The Functions host copies a forwarded request's body only when it has a Content-Length, so in Azure a chunked body
/// reaches the app empty. Locally no host stands in between, so a request to /api/* with a body but no Content-Length
/// is answered 411 here rather than working locally and failing in Azure.
/// </summary>
public static class ContentLengthRequirement
{
    private static readonly PathString HttpFunctionsPath = "/" + FunctionCatalog.RoutePrefix;

    public static IApplicationBuilder RequireContentLengthOnHttpFunctionBodies(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments(HttpFunctionsPath)
                && request.ContentLength is null
                && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
            {
                await Problems.Create(context, StatusCodes.Status411LengthRequired, MessageKey.ContentLengthRequired).ExecuteAsync(context);
                return;
            }

            await next(context);
        });
}
