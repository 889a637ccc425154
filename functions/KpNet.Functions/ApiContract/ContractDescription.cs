using System.Reflection;
using KpNet.Accounts.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KpNet.ApiContract;

/// <summary>
/// What every operation shares and the endpoints do not declare one by one: its feature as tag, the session it needs
/// (bearer token or session cookie) with the 401/403 that refuse one, and the 503 of a storage outage or a request past
/// its deadline.
/// </summary>
internal sealed class ContractDescription : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string BearerScheme = "bearer";
    public const string CookieScheme = "sessionCookie";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "KP-NET API";
        document.Info.Description = "Remote monitoring of PV, battery and V2X gateways. Errors are RFC 9457 problem+json; " +
            "a 400 names each invalid field by its JSON path under `errors`.";
        // Same origin: the app serves the document next to the operations (locally), the portal calls them on its host.
        document.Servers = [new OpenApiServer { Url = "/" }];
        // Operations are tagged with their feature (below); the document lists those tags, not the handler classes'.
        document.Tags = new HashSet<OpenApiTag>(document.Paths.Values.SelectMany(path => path.Operations?.Values.AsEnumerable() ?? [])
            .SelectMany(operation => operation.Tags?.AsEnumerable() ?? []).Select(tag => tag.Name).Distinct().Order(StringComparer.Ordinal)
            .Select(name => new OpenApiTag { Name = name }));
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The session token POST /api/sessions returns (apps and tools).",
            },
            [CookieScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = SessionAuthentication.CookieName,
                Description = "The HttpOnly session cookie POST /api/sessions sets (the portal). Changes made with it from another site's page are refused 403.",
            },
        };
        return Task.CompletedTask;
    }

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<MethodInfo>().FirstOrDefault()?.DeclaringType?.Namespace is { } handlerNamespace)
        {
            operation.Tags = new HashSet<OpenApiTagReference> { new(FeatureOf(handlerNamespace), context.Document) };
        }

        // An endpoint may say what it does (WithSummary); otherwise its name does: RegisterCustomer → "Register customer".
        operation.Summary ??= SummaryOf(operation.OperationId);
        operation.Responses ??= [];
        if (metadata.OfType<SessionRequirement>().FirstOrDefault() is { } session)
        {
            operation.Security =
            [
                new() { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] },
                new() { [new OpenApiSecuritySchemeReference(CookieScheme, context.Document)] = [] },
            ];
            await AddProblemAsync(operation, context, StatusCodes.Status401Unauthorized, "No live session.", cancellationToken);
            await AddProblemAsync(operation, context, StatusCodes.Status403Forbidden, session.Roles.Count == 0
                ? "A change made with the session cookie from another site's page."
                : $"The session's role is not {string.Join(" or ", session.Roles)}, or a change made with the session cookie from another site's page.",
                cancellationToken);
        }

        if (context.Description.HttpMethod is "POST" or "PUT" or "PATCH")
        {
            await AddProblemAsync(operation, context, StatusCodes.Status400BadRequest,
                "The body is malformed, or fields are invalid: `errors` maps each field's JSON path to its messages.",
                cancellationToken, typeof(HttpValidationProblemDetails));
            await AddProblemAsync(operation, context, StatusCodes.Status415UnsupportedMediaType,
                "The body is not of the type the operation reads (its request body's media type).", cancellationToken);
            await AddProblemAsync(operation, context, StatusCodes.Status411LengthRequired,
                "Locally, a body sent without Content-Length (chunked): the Functions host forwards a body only with one.", cancellationToken);
        }

        if (operation.Responses.TryGetValue("429", out var tooMany) && tooMany is OpenApiResponse throttled)
        {
            AddRetryAfter(throttled);
        }

        var unavailable = await AddProblemAsync(operation, context, StatusCodes.Status503ServiceUnavailable,
            "Storage did not answer, or the request ran past its deadline: try again after Retry-After seconds.", cancellationToken);
        AddRetryAfter(unavailable);

        // In status order, so the committed document reads as a table.
        var responses = operation.Responses.OrderBy(response => response.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (status, response) in responses)
        {
            operation.Responses[status] = response;
        }
    }

    private static void AddRetryAfter(OpenApiResponse response)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers["Retry-After"] = new OpenApiHeader
        {
            Description = "Seconds to wait before trying again.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
        };
    }

    // One component per problem type, referenced by every operation that answers it.
    private static async Task<IOpenApiSchema> ProblemSchemaAsync(OpenApiOperationTransformerContext context, Type problemType, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(problemType.Name))
        {
            document.Components.Schemas[problemType.Name] = await context.GetOrCreateSchemaAsync(problemType, null, cancellationToken);
        }

        return new OpenApiSchemaReference(problemType.Name, document);
    }

    private static readonly Lazy<HashSet<string>> SharedTypeNames = new(() => typeof(ContractDescription).Assembly.GetTypes()
        .GroupBy(type => type.Name, StringComparer.Ordinal).Where(names => names.Count() > 1).Select(names => names.Key).ToHashSet(StringComparer.Ordinal));

    /// <summary>The default schema name, prefixed with its API class (RegistrationApi.UnitView → RegistrationUnitView) when another type shares it.</summary>
    public static string? SchemaReferenceId(System.Text.Json.Serialization.Metadata.JsonTypeInfo type)
    {
        var id = OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        return id is not null && type.Type.DeclaringType is { } declaring && SharedTypeNames.Value.Contains(type.Type.Name)
            ? declaring.Name.Replace("Api", "", StringComparison.Ordinal) + id
            : id;
    }

    private static string? SummaryOf(string? operationId) =>
        operationId is null ? null : operationId[..1] + string.Concat(operationId[1..].Select(c => char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : c.ToString()));

    // The feature folder is the namespace segment after the app's root: KpNet.Gateways.Maintenance → Gateways.
    private static string FeatureOf(string handlerNamespace) => handlerNamespace.Split('.') is [_, var feature, ..] ? feature : handlerNamespace;

    private static async Task<OpenApiResponse> AddProblemAsync(
        OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, string description, CancellationToken cancellationToken,
        Type? problemType = null)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.TryGetValue(key, out var declared) && declared is OpenApiResponse declaredResponse)
        {
            return declaredResponse;
        }

        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = await ProblemSchemaAsync(context, problemType ?? typeof(ProblemDetails), cancellationToken) },
            },
        };
        operation.Responses[key] = response;
        return response;
    }
}
