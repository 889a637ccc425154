using System.Net;
using KpNet.Portal;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Portal;

/// <summary>The app serves the built portal locally, client routes included, with the strict security headers on every answer.</summary>
public sealed class PortalHostingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Pages_assets_and_api_answers_carry_the_security_headers_and_client_routes_get_the_portal()
    {
        await PortalBuild.EnsureBuiltAsync();
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new Dictionary<string, string>
        {
            ["Portal:StaticFiles"] = PortalBuild.Folder,
        });

        foreach (var path in new[] { "/", "/login", "/activate", "/api/health", "/sample-sheet.svg" })
        {
            using var response = await app.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(PortalHosting.ContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        }

        var index = await app.Client.GetStringAsync("/activate");
        Assert.Contains("<div id=\"app\"></div>", index, StringComparison.Ordinal);
        Assert.DoesNotMatch("<script>|<style|style=", index);
        var script = System.Text.RegularExpressions.Regex.Match(index, "src=\"(/assets/[^\"]+\\.js)\"").Groups[1].Value;
        using var asset = await app.Client.GetAsync(script);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Contains("immutable", asset.Headers.CacheControl!.ToString(), StringComparison.Ordinal);

        using var unknownApi = await app.Client.GetAsync("/api/no-such-endpoint");
        Assert.Equal(HttpStatusCode.NotFound, unknownApi.StatusCode);
        Assert.NotEqual("text/html", unknownApi.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void The_static_web_app_tells_browsers_to_use_https_only_for_two_years_subdomains_included()
    {
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "portal", "public", "staticwebapp.config.json")));

        var headers = config.RootElement.GetProperty("globalHeaders");

        Assert.Equal("max-age=63072000; includeSubDomains", headers.GetProperty("Strict-Transport-Security").GetString());
    }
}
