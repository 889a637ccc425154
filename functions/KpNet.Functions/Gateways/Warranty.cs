using KpNet.Access;
using KpNet.Inventory;
using KpNet.Telemetry;
using KpNet.Telemetry.Alerts;

namespace KpNet.Gateways;

/// <param name="StartBasis">"gridConnection" (系統連系日 given) or "registration" (the date the gateway was added).</param>
public sealed record WarrantyView(
    int Years, DateOnly StartDate, string StartBasis, DateOnly EndDate, DateOnly RegistrationDeadline, DateOnly RegisteredOn,
    bool RegisteredInTime, bool ExtensionApplies, bool Connected, DateTimeOffset? LastCommunicatedAt)
{
    /// <summary>Total time out of contact, from the offline alerts of the site's gateways.</summary>
    public ConnectivityRecord? Connectivity { get; init; }
}

/// <summary>
/// Battery and PCS warranty (product.md §6, KPAC-B manual §1-1): 10 years, 15 when a KPAC-B system is registered within
/// 3 months of its 系統連系日 and stays connected. Assumptions, until the product owner says otherwise:
/// the extension is a KPAC-B offer (Multi V2X gets 10 years); without a 系統連系日 the registration date starts the
/// warranty and no extension applies (we cannot check the deadline); "connected" means the gateway has sent telemetry
/// within the last <see cref="ConnectedWithin"/> (a full connectivity record comes with alerts); the site's dates
/// carry over a gateway replacement, because the battery and PCS are the same.
/// </summary>
public static class Warranty
{
    public const int StandardYears = 10;
    public const int ExtendedYears = 15;
    public static readonly TimeSpan ConnectedWithin = TimeSpan.FromDays(30);

    public static WarrantyView Of(ProductLine? product, CustomerSite site, GatewayStatus? status, DateTimeOffset now)
    {
        var registeredOn = JapanTime.DateOf(site.AddedAt);
        var start = site.GridConnectionDate ?? registeredOn;
        var deadline = start.AddMonths(3);
        var registeredInTime = site.GridConnectionDate is not null && registeredOn <= deadline;
        var connected = status is not null && now - status.Ts <= ConnectedWithin;
        var extension = product == ProductLine.KpacB && registeredInTime && connected;
        var years = extension ? ExtendedYears : StandardYears;
        return new WarrantyView(years, start, site.GridConnectionDate is null ? "registration" : "gridConnection", start.AddYears(years).AddDays(-1),
            deadline, registeredOn, registeredInTime, extension, connected, status?.Ts);
    }
}
