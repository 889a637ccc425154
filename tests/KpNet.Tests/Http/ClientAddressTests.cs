using System.Net;
using System.Net.Http.Json;
using KpNet.Access;
using KpNet.Http;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Http;

/// <summary>
/// Which client a request counts against: locally the socket's address, whatever forwarding headers say; under the
/// Functions host the address App Service's front end writes into Client-IP, whatever else the request carries.
/// </summary>
public sealed class ClientAddressTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly int ClientLimit = GatewayCredentials.Limits.PerClient.Limit;

    [Fact]
    public async Task Locally_a_client_changing_x_forwarded_for_on_every_request_is_still_one_client()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString);
        using var client = LoopbackClient.Create(app.BaseAddress);

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < ClientLimit; i++)
        {
            answers.Add(await GuessAsync(client, ("X-Forwarded-For", LoopbackClient.UniqueAddress().ToString())));
        }

        Assert.All(answers[..^1], status => Assert.Equal(HttpStatusCode.BadRequest, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);
    }

    [Fact]
    public async Task Under_the_functions_host_the_front_ends_client_ip_decides_and_a_forged_forwarding_entry_does_not()
    {
        await using var app = await TestApp.StartHostedAsync(azurite.ConnectionString);
        var guesser = $"203.0.113.{Random.Shared.Next(1, 255)}:{Random.Shared.Next(1024, 65535)}";
        var bystander = $"198.51.100.{Random.Shared.Next(1, 255)}:{Random.Shared.Next(1024, 65535)}";
        const string sharedForwardedFor = "192.0.2.1, 192.0.2.2";

        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < ClientLimit; i++)
        {
            var forged = LoopbackClient.UniqueAddress() + ", " + guesser;
            guesses.Add(await GuessAsync(app.Client, ("Client-IP", guesser), ("X-Forwarded-For", i % 2 == 0 ? forged : sharedForwardedFor)));
        }

        var bystanderAnswer = await GuessAsync(app.Client, ("Client-IP", bystander), ("X-Forwarded-For", sharedForwardedFor));

        Assert.All(guesses[..^1], status => Assert.Equal(HttpStatusCode.BadRequest, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, guesses[^1]);
        Assert.Equal(HttpStatusCode.BadRequest, bystanderAnswer);
    }

    [Theory]
    [InlineData("203.0.113.7:50123", "203.0.113.7")]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64")]
    public void A_front_end_address_is_read_with_or_without_its_port_and_ipv6_clients_count_per_64_prefix(string header, string client) =>
        Assert.Equal(client, ClientAddress.Parse(header));

    /// <summary>A wrong gateway ID + password check (400 with field errors, then 429 once the client is over its limit).</summary>
    private static async Task<HttpStatusCode> GuessAsync(HttpClient client, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/gateways/verify")
        {
            Content = JsonContent.Create(new { id = "ZZ" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999), password = "wrong-password" }),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
