using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Dealers;
using KpNet.Inventory;
using KpNet.Registration;
using KpNet.Telemetry;
using KpNet.Telemetry.Alerts;

namespace KpNet.Gateways;

public sealed record AddressView(string PostalCode, string Prefecture, string City, string Street)
{
    public static AddressView Of(PostalAddress a) => new(a.PostalCode, a.Prefecture, a.City, a.Street);
}

/// <summary>The "site" object of the API, shaped like the registration form's.</summary>
public sealed record SiteView(string Name, string PostalCode, string Prefecture, string City, string Street)
{
    public static SiteView Of(CustomerSite site) => new(site.SiteName, site.Address.PostalCode, site.Address.Prefecture, site.Address.City, site.Address.Street);
}

public sealed record DealerView(int DealerId, string Name, string Phone)
{
    public static DealerView Of(Dealer dealer) => new(dealer.DealerId, dealer.Name, dealer.Phone);
}

public sealed record GatewayDetail(
    string Id, string Model, string Serial, string? Product, DateTimeOffset? FirstCommunicatedAt, SiteView Site,
    IReadOnlyList<RegistrationApi.UnitView> Units, IReadOnlyList<DealerView> Dealers, WarrantyView Warranty,
    DateOnly? GridConnectionDate, DateTimeOffset AddedAt, IReadOnlyList<string> Replaces);

/// <summary>Assembles what a screen shows about a site's gateway from the inventory, the latest status and the links.</summary>
public sealed class GatewayViews(
    GatewayInventory inventory, GatewayStatusStore statuses, MaintenanceLinks links, DealerDirectory dealers, ConnectivityRecords connectivity, TimeProvider time)
{
    public async Task<GatewayDetail> DetailAsync(CustomerSite site, CancellationToken cancellationToken)
    {
        var gateway = await inventory.FindAsync(site.GatewayId, cancellationToken);
        var status = await statuses.GetAsync(site.GatewayId, cancellationToken);
        return new GatewayDetail(
            site.GatewayId, gateway?.Model ?? "", gateway?.Serial ?? "", ProductLines.Name(gateway?.Product), status?.FirstCommunicatedAt, SiteView.Of(site),
            (status?.UnitConfiguration ?? []).Select(u => new RegistrationApi.UnitView(u.UnitNo, u.Model, u.Serial)).ToList(),
            await DealersOfAsync(site.GatewayId, cancellationToken),
            Warranty.Of(gateway?.Product, site, status, time.GetUtcNow()) with
            {
                Connectivity = await connectivity.OfAsync([site.GatewayId, .. site.Replaces], cancellationToken),
            },
            site.GridConnectionDate, site.AddedAt, site.Replaces);
    }

    public async Task<IReadOnlyList<DealerView>> DealersOfAsync(string gatewayId, CancellationToken cancellationToken)
    {
        var views = new List<DealerView>();
        foreach (var link in await links.ListAsync(gatewayId, cancellationToken))
        {
            if (await dealers.FindAsync(link.DealerId, cancellationToken) is { } dealer)
            {
                views.Add(DealerView.Of(dealer));
            }
        }

        return views;
    }
}
