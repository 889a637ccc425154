using System.Net;
using System.Text;
using KpNet.Notifications;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Hosting.Local;

/// <summary>What a web page the developer happens to open could reach on the local app.</summary>
public sealed class LocalExposureTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Locally_no_function_can_be_invoked_over_http()
    {
        using var response = await _app.Client.PostAsync("/" + SendEmailFunction.Name, new StringContent(
            """{"Data":{"message":"\"{}\""},"Metadata":{"DequeueCount":"1"}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("attacker.example")]
    [InlineData("rebound.attacker.example:7071")]
    public async Task The_dev_mailbox_answers_only_to_a_request_naming_the_loopback_host(string host)
    {
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/dev/mail");
        rebound.Headers.Host = host;

        using var refused = await _app.Client.SendAsync(rebound);
        using var served = await _app.Client.GetAsync("/api/dev/mail");

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }
}
