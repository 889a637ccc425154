using System.Net;
using KpNet.Tests.Infrastructure;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Dealers;

/// <summary>A linked dealer's monitoring screen is titled with the 案件, a view of the customer's data recorded once a day.</summary>
public sealed class DealerMonitoringTitleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_linked_dealer_gets_the_site_name_for_the_title_and_the_customers_log_records_it_once_however_often_it_is_opened()
    {
        using var customer = await SignInAsync(_app);
        var gatewayId = await AddGatewayAsync(_app, customer, new { name = "桂の家（離れ）", postalCode = "615-8014", prefecture = "京都府", city = "京都市西京区", street = "桂御園1" });
        var (dealer, dealerId, dealerPhone) = await SignUpDealerAsync(_app);
        using var _ = dealer;
        using (var linked = await LinkAsync(customer, gatewayId, dealerId, dealerPhone))
        {
            Assert.Equal(HttpStatusCode.Created, linked.StatusCode);
        }

        for (var opened = 0; opened < 3; opened++)
        {
            var site = await GetJsonAsync(dealer.Client, $"/api/dealer/gateways/{gatewayId.ToLowerInvariant()}/site");
            Assert.Equal(gatewayId, site.GetProperty("id").GetString());
            Assert.Equal("桂の家（離れ）", site.GetProperty("siteName").GetString());
        }

        var entry = Assert.Single((await GetJsonAsync(customer.Client, "/api/me/audit-log")).EnumerateArray());
        Assert.Equal(dealerId, entry.GetProperty("dealerId").GetInt32());
        Assert.Equal(gatewayId, entry.GetProperty("gatewayId").GetString());
        Assert.Equal(["site.name"], entry.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));

        using (var unlinked = await customer.Client.DeleteAsync($"/api/gateways/{gatewayId}/dealers/{dealerId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, unlinked.StatusCode);
        }

        using var ended = await dealer.Client.GetAsync($"/api/dealer/gateways/{gatewayId}/site");
        Assert.Equal(HttpStatusCode.NotFound, ended.StatusCode);
        Assert.DoesNotContain("桂の家", await ended.Content.ReadAsStringAsync());
        Assert.Single((await GetJsonAsync(customer.Client, "/api/me/audit-log")).EnumerateArray());
    }
}
