using KpNet.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace KpNet.Portal;

/// <summary>
/// The web portal's hosting: strict security headers on every response, and in local runs the built portal
/// (portal/dist) at "/" with its client-side routes (/login, /activate#token, …) answered by index.html.
/// In Azure the portal is a Static Web App with the same headers (portal/public/staticwebapp.config.json).
/// </summary>
public static partial class PortalHosting
{
    /// <summary>The portal runs no inline script or style and talks only to its own origin.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    public const string DefaultFolder = "portal/dist";

    /// <summary>
    /// no-referrer: activation and reset links carry their token in the fragment, and no page leaks its URL onwards.
    /// API answers are no-store: they carry session tokens and the caller's own data, which no cache may keep.
    /// Set as the response starts, so an answer written after <c>Response.Clear()</c> (the 503 of a storage outage, the
    /// 500 of a defect) carries them too.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = context.GetEndpoint()?.Metadata.GetMetadata<ContentSecurityPolicyMetadata>()?.Policy ?? ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                if (context.Request.Path.StartsWithSegments("/api"))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });

    /// <summary>An endpoint's own policy in place of <see cref="ContentSecurityPolicy"/> (a local developer page).</summary>
    public sealed record ContentSecurityPolicyMetadata(string Policy);

    /// <summary>Serves the built portal from setting Portal__StaticFiles; without a build the API runs alone (and says so).</summary>
    public static IApplicationBuilder UsePortalFiles(this WebApplication app)
    {
        var folder = Path.GetFullPath(app.Services.GetRequiredService<IOptions<PortalOptions>>().Value.StaticFiles ?? DefaultFolder, app.Environment.ContentRootPath);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PortalHosting));
        if (!File.Exists(Path.Combine(folder, "index.html")))
        {
            logger.PortalNotBuilt(folder);
            return app;
        }

        var files = new PhysicalFileProvider(folder);
        app.Use((context, next) =>
        {
            if (IsClientRoute(context.Request))
            {
                context.Request.Path = "/index.html";
            }

            return next(context);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl =
                file.Context.Request.Path.StartsWithSegments("/assets") ? "public, max-age=31536000, immutable" : "no-cache",
        });
        logger.PortalServed(folder);
        return app;
    }

    /// <summary>A page of the portal's router: a GET outside /api whose last segment is not a file name.</summary>
    private static bool IsClientRoute(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Path.HasValue && request.Path.Value != "/"
        && !request.Path.StartsWithSegments("/api")
        && !request.Path.StartsWithSegments(ApiContract.OpenApiContract.ReferencePath)
        && !Path.HasExtension(request.Path.Value);

    [LoggerMessage(EventId = 9000, EventName = "PortalServed", Level = LogLevel.Information, Message = "Portal served from {Folder}")]
    private static partial void PortalServed(this ILogger logger, string folder);

    [LoggerMessage(EventId = 9001, EventName = "PortalNotBuilt", Level = LogLevel.Warning,
        Message = "No portal build in {Folder} (run npm run build in portal/): only the API is served")]
    private static partial void PortalNotBuilt(this ILogger logger, string folder);
}
