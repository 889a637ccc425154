using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Hosting.Local;

/// <summary>
/// The host copies a forwarded body only with a Content-Length (azure-functions-host HttpRequestExtensions.ToHttpRequestMessage:
/// "if (request.ContentLength != null &amp;&amp; request.ContentLength > 0)"), so locally a chunked body to /api/* is refused.
/// </summary>
public sealed class ContentLengthRequirementTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string GatewaySettingsPath = "/api/gateway-api/settings";
    private const string Body = """{"id":"KP-NOSUCH-01","password":"wrong-password"}""";

    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<HttpResponseMessage> PostGatewaySettingsAsync(bool chunked, string? language = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, GatewaySettingsPath) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        request.Headers.TransferEncodingChunked = chunked;
        if (language is not null)
        {
            request.Headers.AcceptLanguage.ParseAdd(language);
        }

        return await _app.Client.SendAsync(request);
    }

    [Fact]
    public async Task A_chunked_body_to_an_http_function_gets_411_problem_json_in_japanese_or_english_on_request()
    {
        var response = await PostGatewaySettingsAsync(chunked: true);
        var english = await PostGatewaySettingsAsync(chunked: true, language: "en");

        Assert.Equal(HttpStatusCode.LengthRequired, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(
            "本文のある要求には Content-Length ヘッダーが必要です（Azure Functions のホストは chunked 転送の本文を転送しません）。",
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(
            "A request with a body needs a Content-Length header (the Azure Functions host does not forward a chunked body).",
            (await english.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_same_body_with_a_content_length_reaches_the_function()
    {
        var response = await PostGatewaySettingsAsync(chunked: false);

        // The endpoint read the body: an unknown gateway ID is a 401 (an empty body would be a 400).
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
