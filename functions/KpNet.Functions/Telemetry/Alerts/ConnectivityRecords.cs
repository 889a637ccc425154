namespace KpNet.Telemetry.Alerts;

/// <summary>
/// The connectivity record behind the warranty extension (product.md §6): how long, in total, the site's gateways were
/// out of contact, from their offline alerts. A period counts from the last contact (the alert is raised
/// <see cref="AlertRules.OfflineAfter"/> into the silence) to the first event after it, or to now while it lasts.
/// </summary>
public sealed record ConnectivityRecord(long OfflineMinutes, int OfflinePeriods, bool OfflineNow);

public sealed class ConnectivityRecords(AlertStore alerts, TimeProvider time)
{
    /// <param name="gatewayIds">The site's gateway and those it replaced: the record belongs to the site's system.</param>
    public async Task<ConnectivityRecord> OfAsync(IReadOnlyList<string> gatewayIds, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var offline = TimeSpan.Zero;
        var periods = 0;
        var offlineNow = false;
        foreach (var gatewayId in gatewayIds)
        {
            foreach (var period in await alerts.HistoryOfCodeAsync(gatewayId, AlertCatalogue.Offline, cancellationToken))
            {
                periods++;
                offline += (period.ClearedAt ?? now) - period.RaisedAt + AlertRules.OfflineAfter;
                offlineNow |= gatewayId == gatewayIds[0] && period.ClearedAt is null;
            }
        }

        return new ConnectivityRecord((long)offline.TotalMinutes, periods, offlineNow);
    }
}
