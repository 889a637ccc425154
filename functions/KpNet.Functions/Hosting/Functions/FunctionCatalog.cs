using Microsoft.AspNetCore.Routing.Patterns;

namespace KpNet.Hosting.Functions;

/// <summary>An HTTP endpoint as the host sees it: a function with an httpTrigger route under the "api" prefix.</summary>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods);

/// <summary>Every function the app serves: the HTTP endpoints under /api plus the declared trigger functions.</summary>
public sealed class FunctionCatalog(IEnumerable<EndpointDataSource> endpointSources, TriggerFunctions triggerFunctions)
{
    public const string RoutePrefix = "api";

    // The host keeps these for its own APIs and skips, at start, every HTTP function whose route (after the route prefix)
    // starts with one of them, compared as a plain string prefix in any case: "administrators/x" is skipped too. A skipped
    // function's path answers 404, so the app refuses such a route before it is ever published.
    private static readonly string[] HostReservedRoutePrefixes = ["admin", "runtime"];

    /// <summary>The catalog of a built app: its mapped endpoints and its declared trigger functions.</summary>
    public static FunctionCatalog Of(WebApplication app) =>
        new(((IEndpointRouteBuilder)app).DataSources, app.Services.GetRequiredService<TriggerFunctions>());

    public IReadOnlyCollection<FunctionDefinition> TriggerFunctions => triggerFunctions.All;

    public IReadOnlyList<HttpFunction> HttpFunctions()
    {
        var functions = new List<HttpFunction>();
        var functionsByMethodAndRoute = new Dictionary<string, HttpFunction>(StringComparer.OrdinalIgnoreCase);
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
            var function = new HttpFunction(name, ToFunctionsRoute(endpoint.RoutePattern, p => p.Name), methods.Select(m => m.ToLowerInvariant()).ToArray());
            EnsureNotInReservedRoutes(function);
            EnsureNoOtherFunctionAnswers(function, ToFunctionsRoute(endpoint.RoutePattern, _ => ""), functionsByMethodAndRoute);
            functions.Add(function);
        }

        var duplicate = functions.Select(f => f.Name).Concat(triggerFunctions.All.Select(f => f.Name))
            .GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two functions are named '{duplicate.Key}'.");
        }

        return functions;
    }

    private static void EnsureNotInReservedRoutes(HttpFunction function)
    {
        var reserved = HostReservedRoutePrefixes.FirstOrDefault(prefix => function.Route.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
        if (reserved is not null)
        {
            throw new InvalidOperationException(
                $"Function '{function.Name}' has the route '{function.Route}': the Functions host reserves routes starting with '{reserved}' for its own and would skip it.");
        }
    }

    // The host refuses a second function with the same route text and a shared method. Parameter names are left out of
    // the comparison: "gateways/{id}" and "gateways/{gatewayId}" pass the host's check, but they match the same requests,
    // and the app's routing fails every such request as ambiguous.
    private static void EnsureNoOtherFunctionAnswers(HttpFunction function, string routeWithoutParameterNames, Dictionary<string, HttpFunction> functionsByMethodAndRoute)
    {
        foreach (var method in function.Methods)
        {
            var methodAndRoute = method + " " + routeWithoutParameterNames;
            if (functionsByMethodAndRoute.TryGetValue(methodAndRoute, out var other))
            {
                throw new InvalidOperationException(
                    $"Functions '{other.Name}' ('{other.Route}') and '{function.Name}' ('{function.Route}') both answer {method.ToUpperInvariant()} on the same route.");
            }

            functionsByMethodAndRoute.Add(methodAndRoute, function);
        }
    }

    // Functions routes use the same template syntax, but catch-alls are written "{*name}" and the prefix is implicit.
    private static string ToFunctionsRoute(RoutePattern pattern, Func<RoutePatternParameterPart, string> parameterName)
    {
        var segments = pattern.PathSegments.Skip(1).Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => "{" + (parameter.IsCatchAll ? "*" : "") + parameterName(parameter)
                + string.Concat(parameter.ParameterPolicies.Select(p => ":" + p.Content)) + (parameter.IsOptional ? "?" : "") + "}",
            _ => throw new InvalidOperationException($"Unsupported route part in '{pattern.RawText}'."),
        })));
        return string.Join('/', segments);
    }
}
