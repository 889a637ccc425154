using System.Text.Json.Nodes;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.ApiContract;

/// <summary>
/// The portman configuration of the fuzzing run: api/portman/portman-config.json (the checks every request gets)
/// completed, for every operation of the committed document, with its valid data (api/portman/requests.json) and the
/// variations that break it: a body or query that breaks its schema (portman's fuzzing of required fields, lengths and
/// ranges), the valid body sent as text/plain, a token of no session, an unknown ID in the path, a stray session token on a public operation. A new operation is attacked the
/// same way as soon as it is in the document; it only needs valid data when it takes a body or path parameters.
/// </summary>
internal static class PortmanConfig
{
    public static readonly string Folder = Path.Combine(RepositoryRoot.Path, "api", "portman");

    private const string UnknownId = "UNKNOWN0000X";

    // Prism checks that a request to an operation with security carries a credential, and answers 401 itself when none is
    // there; a token that is no session's passes it, so the app's own refusal is what gets checked.
    private const string NoSession = "not-a-session";
    private static readonly string[] FuzzingRules = ["requiredFields", "minimumNumberFields", "maximumNumberFields", "minLengthFields", "maxLengthFields"];
    private static readonly string[] UnknownStatuses = ["404", "410"];

    public static JsonObject Build(JsonObject document)
    {
        var config = Load("portman-config.json");
        // Script files are named from the repository root; portman runs in a folder of its own.
        var scripts = config["globals"]!["collectionTestScripts"]!.AsArray();
        for (var i = 0; i < scripts.Count; i++)
        {
            scripts[i] = "file:" + Path.Combine(RepositoryRoot.Path, scripts[i]!.GetValue<string>()["file:".Length..]);
        }

        var requests = Load("requests.json");
        var overwrites = config["overwrites"]!.AsArray();
        var variationTests = config["tests"]!["variationTests"]!.AsArray();
        foreach (var (path, method, operation) in Operations(document))
        {
            var id = operation["operationId"]!.GetValue<string>();
            var data = requests["operations"]![id]?.AsObject() ?? [];
            var token = data["token"]?.GetValue<string>() ?? TokenFor(requests, path);
            var secured = IsSecured(operation);
            var responses = operation["responses"]!.AsObject();

            JsonObject Overwrites(JsonObject? pathValues = null, bool session = true)
            {
                var overwrite = new JsonObject();
                if (data["body"] is { } body)
                {
                    overwrite["overwriteRequestBody"] = new JsonArray(new JsonObject { ["key"] = ".", ["value"] = body.DeepClone(), ["overwrite"] = true });
                }

                if ((pathValues ?? data["path"]?.AsObject()) is { } values)
                {
                    overwrite["overwriteRequestPathVariables"] = Values(values);
                }

                if (data["query"] is JsonObject query)
                {
                    overwrite["overwriteRequestQueryParams"] = Values(query);
                }

                if (secured)
                {
                    overwrite["overwriteRequestSecurity"] = new JsonObject { ["bearer"] = new JsonObject { ["token"] = session ? $"{{{{{token}}}}}" : NoSession } };
                }

                return overwrite;
            }

            var valid = Overwrites();
            if (valid.Count > 0)
            {
                var targeted = valid.DeepClone().AsObject();
                targeted["openApiOperationId"] = id;
                overwrites.Add(targeted);
            }

            void Variation(string name, string status, JsonObject overwrite, string? refusal, JsonArray? fuzzing = null, bool exactly = false)
            {
                var variation = new JsonObject { ["name"] = name, ["overwrites"] = new JsonArray(overwrite) };
                if (fuzzing is not null)
                {
                    variation["fuzzing"] = fuzzing;
                }

                var check = refusal is null
                    ? "pm.test('[negative] a public operation ignores a stray session token', function () { pm.expect(pm.response.code).to.not.equal(401); });"
                    : exactly
                        ? $"pm.test('[negative] {refusal} is refused with {status}', function () {{ pm.expect(pm.response.code).to.equal({status}); }});"
                        : $"pm.test('[negative] {refusal} is refused with a 4xx', function () {{ pm.expect(pm.response.code).to.be.within(400, 499); }});";
                variation["tests"] = new JsonObject
                {
                    ["extendTests"] = new JsonArray(new JsonObject { ["openApiOperation"] = "*::/*", ["tests"] = new JsonArray(check) }),
                };
                // Portman makes a variation only for a response the operation documents.
                var documented = responses.ContainsKey(status) ? status : responses.Select(r => r.Key).First(code => code.StartsWith('2'));
                variationTests.Add(new JsonObject { ["openApiOperationId"] = id, ["openApiResponse"] = documented, ["variations"] = new JsonArray(variation) });
            }

            if (data["body"] is not null)
            {
                Variation("fuzz", "400", Overwrites(), "a body that breaks its schema",
                    Fuzzing("requestBody"));

                var text = Overwrites();
                text["overwriteRequestHeaders"] = new JsonArray(new JsonObject { ["key"] = "Content-Type", ["value"] = "text/plain" });
                Variation("text body", "415", text, "a body of another type", exactly: true);
            }

            if (operation["parameters"] is JsonArray parameters
                && parameters.Any(p => p!["in"]!.GetValue<string>() == "query" && p["schema"] is JsonObject schema
                    && (schema.ContainsKey("minimum") || schema.ContainsKey("maximum") || schema.ContainsKey("minLength") || schema.ContainsKey("maxLength"))))
            {
                Variation("fuzz query", "400", Overwrites(), "a query that breaks its schema",
                    Fuzzing("requestQueryParams"));
            }

            if (secured)
            {
                Variation("no session", "401", Overwrites(session: false), "a token of no session");
            }
            else
            {
                var stray = Overwrites();
                stray["overwriteRequestHeaders"] = new JsonArray(new JsonObject { ["key"] = "Authorization", ["value"] = "Bearer " + NoSession });
                Variation("stray session token", "200", stray, refusal: null);
            }

            if (data["path"] is JsonObject pathValues)
            {
                var unknown = new JsonObject();
                foreach (var (name, _) in pathValues)
                {
                    unknown[name] = UnknownId;
                }

                var names = string.Join("/", pathValues.Select(p => p.Key));
                Variation("unknown " + names, UnknownStatuses.FirstOrDefault(responses.ContainsKey) ?? "401", Overwrites(unknown), "an unknown " + names);
            }
        }

        return config;
    }

    /// <summary>Portman's fuzzing of a request part (requestBody, requestQueryParams) by every rule of its schema.</summary>
    private static JsonArray Fuzzing(string part)
    {
        var everyRule = new JsonObject();
        foreach (var rule in FuzzingRules)
        {
            everyRule[rule] = new JsonObject { ["enabled"] = true };
        }

        return new JsonArray(new JsonObject { [part] = new JsonArray(everyRule) });
    }

    /// <summary>The operations that take a JSON body or path parameters but have no valid data in api/portman/requests.json.</summary>
    public static IReadOnlyList<string> OperationsWithoutData(JsonObject document)
    {
        var requests = Load("requests.json")["operations"]!.AsObject();
        return Operations(document)
            .Where(o => o.Path.Contains('{', StringComparison.Ordinal) || o.Operation["requestBody"]?["content"]?["application/json"] is not null)
            .Select(o => o.Operation["operationId"]!.GetValue<string>())
            .Where(id => !requests.ContainsKey(id))
            .ToList();
    }

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(method => method.Value is JsonObject { } operation && operation.ContainsKey("operationId"))
            .Select(method => (path.Key, method.Key, method.Value!.AsObject())));

    // An operation needs a session when one of its security alternatives names a scheme ({} is "none needed").
    private static bool IsSecured(JsonObject operation) =>
        operation["security"] is JsonArray { Count: > 0 } alternatives && alternatives.All(alternative => alternative is JsonObject { Count: > 0 });

    private static string TokenFor(JsonObject requests, string path) =>
        requests["tokens"]!.AsObject().First(prefix => path.StartsWith(prefix.Key, StringComparison.Ordinal)).Value!.GetValue<string>();

    private static JsonArray Values(JsonObject values) =>
        new(values.Select(value => (JsonNode)new JsonObject { ["key"] = value.Key, ["value"] = value.Value!.DeepClone(), ["overwrite"] = true }).ToArray());

    private static JsonObject Load(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, name)))!.AsObject();
}
