using System.Net;
using System.Text.Json.Nodes;
using KpNet.ApiContract;
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
