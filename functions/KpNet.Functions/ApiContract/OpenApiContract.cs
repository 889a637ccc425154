using KpNet.Hosting.Functions;
using KpNet.Portal;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace KpNet.ApiContract;

/// <summary>
/// The HTTP contract: an OpenAPI 3.1 document of every /api operation, generated from the endpoints when first asked
/// for. Local runs serve it at <see cref="DocumentPath"/> with a reference page at <see cref="ReferencePath"/>;
/// <c>--emit-openapi</c> writes it to api/openapi.json. Under the Functions host none of it is registered: only /api
/// routes are functions there, and startup stays as cheap as it was.
/// </summary>
public static class OpenApiContract
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/scalar";

    // Scalar's page starts itself with an inline module script and inline styles, which the portal's policy forbids;
    // this page is served only locally, to developers.
    private const string ReferencePageContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    public static IServiceCollection AddApiContract(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.ShouldInclude = description => description.RelativePath?.StartsWith(FunctionCatalog.RoutePrefix + "/", StringComparison.Ordinal) == true;
            options.CreateSchemaReferenceId = ContractDescription.SchemaReferenceId;
            options.AddDocumentTransformer<ContractDescription>();
            options.AddOperationTransformer<ContractDescription>();
            options.AddOperationTransformer<RequestBodies>();
            options.AddSchemaTransformer<OmittedProperties>();
        });

    public static WebApplication MapApiContract(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        app.MapScalarApiReference(ReferencePath, options => options.WithOpenApiRoutePattern(DocumentPath))
            .WithMetadata(new PortalHosting.ContentSecurityPolicyMetadata(ReferencePageContentSecurityPolicy));
        return app;
    }

    /// <summary>The document as <see cref="DocumentPath"/> serves it, for a built app that is not started.</summary>
    public static async Task<string> GenerateAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        // A starting app hands its endpoints to routing, where the document's API explorer finds them; this one never
        // starts, so it hands them over here.
        app.UseEndpoints(_ => { });
        var document = await app.Services.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName).GetOpenApiDocumentAsync(cancellationToken);
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        document.SerializeAsV31(new OpenApiJsonWriter(text));
        return text.ToString() + "\n";
    }
}
