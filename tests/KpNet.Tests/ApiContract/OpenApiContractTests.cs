using System.Net;
using System.Text.Json.Nodes;
using KpNet.Accounts;
using KpNet.ApiContract;
using KpNet.Gateways;
using KpNet.Inventory;
using KpNet.Portal;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Portal;

namespace KpNet.Tests.ApiContract;

/// <summary>The committed contract (api/openapi.json) is what the app's endpoints describe, and local runs serve it.</summary>
public sealed class OpenApiContractTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    public const string RegenerateCommand =
        "dotnet run --project functions/KpNet.Functions -c Release -- --emit-openapi \"$PWD/api/openapi.json\"";

    public static string CommittedPath { get; } = Path.Combine(RepositoryRoot.Path, "api", "openapi.json");

    [Fact]
    public async Task The_committed_document_is_the_one_the_app_generates_from_its_endpoints()
    {
        await using var app = KpNetApp.Create([]);

        var generated = await OpenApiContract.GenerateAsync(app);

        Assert.True(generated == await File.ReadAllTextAsync(CommittedPath),
            $"api/openapi.json differs from what the app's endpoints describe. Review the change and regenerate it, from the repository root: {RegenerateCommand}");
    }

    [Fact]
    public async Task The_committed_document_passes_the_redocly_lint_without_errors()
    {
        var (exitCode, output) = await NodeTool.RunAsync("redocly", ["lint", CommittedPath, "--config", Path.Combine(RepositoryRoot.Path, "redocly.yaml"), "--format", "stylish"]);

        Assert.True(exitCode == 0, $"redocly lint (redocly.yaml) found errors in api/openapi.json:\n{output}");
    }

    [Fact]
    public async Task Every_api_operation_is_in_the_document_once_by_its_endpoint_name_and_nothing_else_is()
    {
        await using var functionsApp = KpNetApp.Create([], emittingMetadata: true);
        var catalogued = KpNet.Hosting.Functions.FunctionCatalog.Of(functionsApp).HttpFunctions()
            .SelectMany(f => f.Methods.Select(m => (m.ToUpperInvariant(), "/api/" + f.Route, f.Name))).Order().ToList();

        await using var localApp = KpNetApp.Create([]);
        var document = JsonNode.Parse(await OpenApiContract.GenerateAsync(localApp))!;
        var described = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation =>
                (operation.Key.ToUpperInvariant(), path.Key, operation.Value!["operationId"]!.GetValue<string>()))).Order().ToList();

        Assert.Equal(catalogued, described);
    }

    [Fact]
    public async Task Every_operation_that_takes_a_body_describes_it_and_the_registration_body_carries_the_validators_rules()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath))!;

        var withoutBody = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Where(o => o.Key is "post" or "put" or "patch" && o.Value!["requestBody"] is null).Select(o => $"{o.Key} {path.Key}"))
            .ToList();
        Assert.True(withoutBody.Count == 0, $"Name the body's reader in the Map call (.AcceptsForm(...)) of: {string.Join(", ", withoutBody)}");

        var registration = document["components"]!["schemas"]!["RegisterCustomerRequest"]!;
        Assert.Equal(["city", "email", "emailConfirm", "gateway", "kana", "name", "phone", "postalCode", "prefecture", "site", "street", "termsVersion"],
            registration["required"]!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal));
        var properties = registration["properties"]!;
        Assert.Equal(CustomerFields.NameMaxLength, properties["name"]!["properties"]!["family"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(TermsOfUse.Version, properties["termsVersion"]!["enum"]![0]!.GetValue<string>());
        Assert.Equal(47, properties["site"]!["properties"]!["prefecture"]!["enum"]!.AsArray().Count);
        Assert.Equal(GatewayId.Field.Pattern, properties["gateway"]!["properties"]!["id"]!["pattern"]!.GetValue<string>());
        Assert.Null(properties["company"]!["required"]);
        Assert.Contains("null", properties["gridConnectionDate"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact]
    public async Task Locally_the_app_serves_the_committed_document_and_a_reference_page_of_it()
    {
        await PortalBuild.EnsureBuiltAsync();
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new Dictionary<string, string>
        {
            ["Portal:StaticFiles"] = PortalBuild.Folder,
        });

        using var document = await app.Client.GetAsync(OpenApiContract.DocumentPath);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath)), JsonNode.Parse(await document.Content.ReadAsStringAsync())));

        using var reference = await app.Client.GetAsync(OpenApiContract.ReferencePath + "/" + OpenApiContract.DocumentName);
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Equal("text/html", reference.Content.Headers.ContentType?.MediaType);
        var page = await reference.Content.ReadAsStringAsync();
        // The page, not the portal's index.html that answers other paths without a file name.
        Assert.Contains(OpenApiContract.DocumentPath.TrimStart('/'), page, StringComparison.Ordinal);
        Assert.NotEqual(PortalHosting.ContentSecurityPolicy, Assert.Single(reference.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task Under_the_functions_host_neither_the_document_nor_the_reference_page_is_served()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, underFunctionsHost: true);

        using var document = await app.Client.GetAsync(OpenApiContract.DocumentPath);
        using var reference = await app.Client.GetAsync(OpenApiContract.ReferencePath + "/" + OpenApiContract.DocumentName);

        Assert.Equal(HttpStatusCode.NotFound, document.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, reference.StatusCode);
    }
}
