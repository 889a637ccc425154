using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Dealers;
using KpNet.Accounts.Sessions;
using KpNet.Audit;
using KpNet.Gateways;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Inventory;
using KpNet.Notifications;
using KpNet.Registration;
using KpNet.Telemetry;
using KpNet.Telemetry.Alerts;

namespace KpNet.Dealers;

/// <summary>The dealer's own API: its staff addresses and the gateways it maintains.</summary>
public static class DealersApi
{
    /// <summary>
    /// The gateway's open alerts from the Alerts table (unit faults, battery, loss of communication), most severe and
    /// newest first, and when it last communicated. The names come from before alerts existed: <c>faultCount</c> is the
    /// number of open alerts, <c>faultyUnits</c> the units whose latest status reports fault codes.
    /// </summary>
    public sealed record AlertSummary(
        DateTimeOffset? LastCommunicatedAt, int FaultCount, IReadOnlyList<UnitStatus> FaultyUnits, IReadOnlyList<AlertView> Open)
    {
        public static AlertSummary Of(GatewayStatus? status, IReadOnlyList<AlertOccurrence> open, bool english) => new(
            status?.Ts,
            open.Count,
            (status?.Units ?? []).Where(u => u.Faults.Count > 0).ToList(),
            open.OrderByDescending(a => a.Severity).ThenByDescending(a => a.RaisedAt).Select(a => AlertView.Of(a, english)).ToList());
    }

    public sealed record MaintainedGatewayItem(
        string Id, string SiteName, AddressView SiteAddress, string CustomerName, DateTimeOffset? FirstCommunicatedAt, AlertSummary Alerts);

    public sealed record CustomerView(PersonName Name, PersonName? Kana, string Phone, AddressView Address, string Email, Company? Company);

    public sealed record MaintainedGatewayDetail(
        string Id, string Model, string Serial, string? Product, DateTimeOffset? FirstCommunicatedAt, SiteView Site,
        IReadOnlyList<RegistrationApi.UnitView> Units, AlertSummary Alerts, CustomerView Customer);

    public sealed record StaffEmailsView(IReadOnlyList<string> StaffEmails);

    /// <summary>What the dealer's monitoring screen is titled with: the gateway and its 案件.</summary>
    public sealed record MonitoredSiteView(string Id, string SiteName);

    /// <summary>
    /// What the list shows of the customer's data (the site, the customer's name), and what the detail shows: both are
    /// audited, the list once a day per dealer and gateway (<see cref="AuditLog.RecordDailyAsync"/>), as it is paged all day.
    /// </summary>
    public static readonly string[] SiteFields = ["site.name", "site.address"];
    public static readonly string[] ListedFields = [.. SiteFields, "name"];
    public static readonly string[] MonitoringFields = ["site.name"];
    public static readonly string[] DetailFields = ["site.name", "site.address", "name", "kana", "phone", "address", "email", "company"];

    /// <summary>A page's gateways are read a few at a time: a page of 100 must not wait for 600 requests one after another.</summary>
    private const int MaxConcurrentItems = 8;

    public static IEndpointRouteBuilder MapDealers(this IEndpointRouteBuilder app)
    {
        var dealer = app.MapGroup("/api/dealer").RequireSession(AccountRole.Dealer);
        dealer.MapPut("/staff-emails", PutStaffEmailsAsync).WithName("DealerStaffEmails").AcceptsForm(form => DealerSignUp.ReadStaffEmails(form)).Produces<StaffEmailsView>();
        dealer.MapGet("/gateways", ListGatewaysAsync).WithName("DealerGateways").WithPagingRules()
            .WithQueryRules("search", new FieldRules { Description = "Only gateways whose ID, 案件 or customer name contains this (NFKC, case and, in the name, spaces ignored)." })
            .Produces<PageView<MaintainedGatewayItem>>().ProducesValidationProblem();
        dealer.MapGet("/gateways/{id}", GetGatewayAsync).WithName("DealerGateway")
            .Produces<MaintainedGatewayDetail>().ProducesProblem(StatusCodes.Status404NotFound);
        dealer.MapGet("/gateways/{id}/site", async Task<IResult> (
                HttpContext context, string id, DealerAccess access, AuditLog audit, TimeProvider time, ILogger<DealerRegistrar> logger, CancellationToken cancellationToken) =>
            {
                var user = context.RequireCurrentUser();
                if (user.DealerId is not { } dealerId || await access.FindAsync(dealerId, GatewayId.Normalize(id), cancellationToken) is not { } site)
                {
                    return Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.DealerGatewayNotMaintained);
                }

                // Asked once per opening of the monitoring screen (not by its polls), and recorded once a day however often it is opened.
                await RecordViewAsync(audit, logger, user, dealerId, site, MonitoringFields, time, cancellationToken, dailyKind: "monitoring");
                return TypedResults.Ok(new MonitoredSiteView(site.GatewayId, site.SiteName));
            })
            .WithName("DealerGatewaySite").Produces<MonitoredSiteView>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> PutStaffEmailsAsync(
        HttpContext context, DealerDirectory directory, AccountStore accounts, ILogger<DealerRegistrar> logger, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var staffEmails = DealerSignUp.ReadStaffEmails(form);
        var user = context.RequireCurrentUser();
        if (errors.Any || user.DealerId is not { } dealerId)
        {
            return errors.ToProblem(context);
        }

        await directory.UpdateStaffEmailsAsync(dealerId, staffEmails!, cancellationToken);

        if (await accounts.FindByUserIdAsync(user.UserId, cancellationToken) is { } account)
        {
            // Signed in or changed its password meanwhile: ChangeAsync reads again and applies on top.
            await accounts.ChangeAsync(account, current => current with { StaffEmails = staffEmails }, cancellationToken);
        }

        logger.StaffEmailsChanged(dealerId, staffEmails!.Count);
        return TypedResults.Ok(new StaffEmailsView(staffEmails));
    }

    private static async Task<IResult> ListGatewaysAsync(
        HttpContext context, DealerAccess access, MaintenanceLinks links, GatewayStatusStore statuses, AlertStore alerts, AuditLog audit, TimeProvider time,
        ILogger<DealerRegistrar> logger, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (Paging.Read(context, errors) is not var (page, pageSize))
        {
            return errors.ToProblem(context);
        }

        var user = context.RequireCurrentUser();
        if (user.DealerId is not { } dealerId)
        {
            return TypedResults.Ok(new PageView<MaintainedGatewayItem>([], 0, page, pageSize));
        }

        var search = context.Request.Query["search"].ToString() is { Length: > 0 } text && JsonForm.Normalize(text) is { Length: > 0 } normalized ? normalized : null;
        var (maintained, total) = await access.PageAsync(dealerId, search, page, pageSize, cancellationToken);
        var english = Messages.PrefersEnglish(context);
        var items = new MaintainedGatewayItem[maintained.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, maintained.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentItems, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var (site, copied, copiedNames) = maintained[i];
                await RecordViewAsync(audit, logger, user, dealerId, site, ListedFields, time, ct, dailyKind: "list");
                if (copiedNames.SiteName != site.SiteName)
                {
                    // An edit of the site whose copy was lost: the site was read to confirm the row, so the repair costs one write.
                    await links.CopyListedNamesAsync(dealerId, site.GatewayId, copiedNames with { SiteName = site.SiteName }, ct);
                }

                var status = await statuses.GetAsync(site.GatewayId, ct);
                var open = await alerts.OpenAsync(site.GatewayId, ct);
                if (OpenAlerts.Of(open, copied.Version) != copied)
                {
                    // The page was sorted on a copy an alert change has not reached yet (or a lost copy): it sorts right next time.
                    await links.RepairOpenAlertsAsync(dealerId, site.GatewayId, ct);
                }

                items[i] = new MaintainedGatewayItem(
                    site.GatewayId, site.SiteName, AddressView.Of(site.Address), copiedNames.CustomerName, status?.FirstCommunicatedAt, AlertSummary.Of(status, open, english));
            });

        return TypedResults.Ok(new PageView<MaintainedGatewayItem>(items, total, page, pageSize));
    }

    private static async Task<IResult> GetGatewayAsync(
        HttpContext context, string id, DealerAccess access, AccountStore accounts, GatewayInventory inventory, GatewayStatusStore statuses,
        AlertStore alerts, AuditLog audit, TimeProvider time, ILogger<DealerRegistrar> logger, CancellationToken cancellationToken)
    {
        var user = context.RequireCurrentUser();
        if (user.DealerId is not { } dealerId
            || await access.FindAsync(dealerId, GatewayId.Normalize(id), cancellationToken) is not { } site
            || await accounts.FindByUserIdAsync(site.UserId, cancellationToken) is not { } customer)
        {
            return Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.DealerGatewayNotMaintained);
        }

        await RecordViewAsync(audit, logger, user, dealerId, site, DetailFields, time, cancellationToken);
        var gateway = await inventory.FindAsync(site.GatewayId, cancellationToken);
        var status = await statuses.GetAsync(site.GatewayId, cancellationToken);
        var open = await alerts.OpenAsync(site.GatewayId, cancellationToken);
        return TypedResults.Ok(new MaintainedGatewayDetail(
            site.GatewayId, gateway?.Model ?? "", gateway?.Serial ?? "", ProductLines.Name(gateway?.Product), status?.FirstCommunicatedAt,
            SiteView.Of(site), (status?.UnitConfiguration ?? []).Select(u => new RegistrationApi.UnitView(u.UnitNo, u.Model, u.Serial)).ToList(),
            AlertSummary.Of(status, open, Messages.PrefersEnglish(context)),
            new CustomerView(customer.Name, customer.Kana, customer.Phone, AddressView.Of(customer.Address), customer.Email, customer.Company)));
    }

    /// <summary>Records the view before it is answered; a view repeated all day (<paramref name="dailyKind"/>) once a day.</summary>
    private static async Task RecordViewAsync(
        AuditLog audit, ILogger logger, CurrentUser user, int dealerId, CustomerSite site, string[] fields, TimeProvider time, CancellationToken cancellationToken,
        string? dailyKind = null)
    {
        var entry = new AuditEntry(time.GetUtcNow(), site.UserId, user.UserId, dealerId, site.GatewayId, fields);
        if (dailyKind is null)
        {
            await audit.RecordAsync(entry, cancellationToken);
        }
        else
        {
            await audit.RecordDailyAsync(entry, dailyKind, cancellationToken);
        }

        logger.CustomerDataViewed(dealerId, string.Join(',', fields), site.UserId, site.GatewayId);
    }
}
