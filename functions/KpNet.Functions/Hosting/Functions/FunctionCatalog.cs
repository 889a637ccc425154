using Microsoft.AspNetCore.Routing.Patterns;

namespace KpNet.Hosting.Functions;

/// <summary>An HTTP endpoint as the host sees it: a function with an httpTrigger route under the "api" prefix.</summary>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods);

/// <summary>Every function the app serves: the HTTP endpoints under /api plus the declared trigger functions.</summary>
public sealed class FunctionCatalog(IEnumerable<EndpointDataSource> endpointSources, TriggerFunctions triggerFunctions)
{
    public const string RoutePrefix = "api";

    /// <summary>The catalog of a built app: its mapped endpoints and its declared trigger functions.</summary>
    public static FunctionCatalog Of(WebApplication app) =>
        new(((IEndpointRouteBuilder)app).DataSources, app.Services.GetRequiredService<TriggerFunctions>());

    public IReadOnlyCollection<FunctionDefinition> TriggerFunctions => triggerFunctions.All;

    public IReadOnlyList<HttpFunction> HttpFunctions()
    {
        var functions = new List<HttpFunction>();
        foreach (var endpoint in endpointSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var route = endpoint.RoutePattern.RawText?.TrimStart('/') ?? "";
            if (!route.StartsWith(RoutePrefix + "/", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
                ?? throw new InvalidOperationException($"Endpoint '{route}' has no name; give it one with WithName(...) so it can be published as a function.");
            FunctionRegistration.EnsureValidName(name);
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods
                ?? throw new InvalidOperationException($"Endpoint '{name}' accepts every method; map it with explicit methods.");
            functions.Add(new HttpFunction(name, ToFunctionsRoute(endpoint.RoutePattern), methods.Select(m => m.ToLowerInvariant()).ToArray()));
        }

        var duplicate = functions.Select(f => f.Name).Concat(triggerFunctions.All.Select(f => f.Name))
            .GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two functions are named '{duplicate.Key}'.");
        }

        return functions;
    }

    // Functions routes use the same template syntax, but catch-alls are written "{*name}" and the prefix is implicit.
    private static string ToFunctionsRoute(RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Skip(1).Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => "{" + (parameter.IsCatchAll ? "*" : "") + parameter.Name
                + string.Concat(parameter.ParameterPolicies.Select(p => ":" + p.Content)) + (parameter.IsOptional ? "?" : "") + "}",
            _ => throw new InvalidOperationException($"Unsupported route part in '{pattern.RawText}'."),
        })));
        return string.Join('/', segments);
    }
}
