using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KpNet.Tests.Accounts;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Http;

/// <summary>
/// Another site cannot act with a portal user's session cookie: API changes take only the body type their endpoint
/// reads, and cookie-authenticated changes only from the portal's own origin; the smartphone app's Bearer token is not
/// asked where it comes from.
/// </summary>
public sealed class CrossSiteRequestTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string OtherSite = "https://attacker.example";
    private const string AddGatewayBody = """{"gateway":{"id":"","password":""},"site":{}}""";

    private TestApp _app = null!;
    private HttpClient _browser = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync(azurite.ConnectionString);
        var (account, password) = await TestAccounts.CreateActiveAsync(_app);
        _browser = TestAccounts.NewClient(_app, new CookieContainer());
        _token = await TestAccounts.LoginAsync(_browser, account.Email, password);
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task A_change_with_the_session_cookie_and_a_body_a_form_can_send_is_refused_with_415(string contentType)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/gateways", AddGatewayBody, contentType, origin: _app.BaseAddress.GetLeftPart(UriPartial.Authority));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("送信データは application/json の形式で送信してください。", await TitleAsync(response));
    }

    [Fact]
    public async Task A_change_with_the_session_cookie_from_another_origin_is_refused_with_403()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/gateways", AddGatewayBody, "application/json", origin: OtherSite);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("このサイト以外の画面からの操作は受け付けられません。", await TitleAsync(response));
    }

    [Fact]
    public async Task A_cookie_change_without_origin_passes_only_when_the_browser_says_same_origin()
    {
        using var crossSite = await SendAsync(HttpMethod.Post, "/api/gateways", AddGatewayBody, "application/json", fetchSite: "cross-site");
        using var sameOrigin = await SendAsync(HttpMethod.Post, "/api/gateways", AddGatewayBody, "application/json", fetchSite: "same-origin");

        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, sameOrigin.StatusCode);
    }

    [Fact]
    public async Task The_same_change_from_the_portals_origin_or_with_a_bearer_token_from_anywhere_goes_through()
    {
        using var fromPortal = await SendAsync(HttpMethod.Post, "/api/gateways", AddGatewayBody, "application/json", origin: _app.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var withBearer = await SendAsync(HttpMethod.Post, "/api/gateways", AddGatewayBody, "application/json", origin: OtherSite, bearer: true);

        Assert.Equal(HttpStatusCode.BadRequest, fromPortal.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, withBearer.StatusCode);
    }

    [Fact]
    public async Task A_public_json_endpoint_refuses_a_text_body_too()
    {
        using var anonymous = TestAccounts.NewClient(_app);

        using var response = await anonymous.PostAsync("/api/activations", new StringContent("""{"email":"a@example.jp"}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, string body, string contentType, string? origin = null, string? fetchSite = null, bool bearer = false)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        if (bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        return await _browser.SendAsync(request);
    }

    private static async Task<string?> TitleAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString();
}
