using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Sessions;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Inventory;
using KpNet.Monitoring;
using KpNet.Telemetry;
using KpNet.Telemetry.Alerts;

namespace KpNet.Gateways.Monitoring;

/// <summary>
/// モニタリング for the gateway's owner and its linked dealers: latest status, history, alerts and desired settings.
/// Anyone else gets the 404 a nonexistent gateway gets, so IDs cannot be probed.
/// </summary>
public static class MonitoringApi
{
    public const int MaxAlerts = 200;

    public sealed record UnitView(int UnitNo, string? Status, IReadOnlyList<string> Faults);

    public sealed record StatusView(
        DateTimeOffset Ts, double? PvW, double? BatterySoc, double? BatteryW, bool? EvConnected, double? EvSoc, double? EvW,
        double? GridW, double? LoadW, IReadOnlyList<UnitView> Units);

    public sealed record AppliedView(int Version, DateTimeOffset? AppliedAt);

    public sealed record SettingsView(
        string OperationMode, int BatteryReservePercent, EvChargeWindowView? EvChargeWindow, int Version, DateTimeOffset? UpdatedAt, AppliedView? Applied);

    public static IEndpointRouteBuilder MapMonitoring(this IEndpointRouteBuilder app)
    {
        var gateway = app.MapGroup("/api/gateways/{id}").RequireSession(AccountRole.Customer, AccountRole.Dealer).ProducesProblem(StatusCodes.Status404NotFound);
        gateway.MapGet("/status", GetStatusAsync).WithName("GatewayStatus").Produces<StatusView>();
        gateway.MapGet("/history", GetHistoryAsync).WithName("GatewayHistorySeries")
            .WithQueryRules("from", HistoryQuery.FromRules).WithQueryRules("to", HistoryQuery.ToRules).WithQueryRules("resolution", HistoryQuery.ResolutionRules).Produces<HistoryView>().ProducesValidationProblem();
        gateway.MapGet("/alerts", GetAlertsAsync).WithName("GatewayAlerts").Produces<List<AlertView>>();
        gateway.MapGet("/settings", GetSettingsAsync).WithName("GatewaySettings").Produces<SettingsView>();
        gateway.MapPut("/settings", PutSettingsAsync).WithName("GatewaySettingsUpdate").AcceptsForm(form => SettingsForm.Read(form)).Produces<SettingsView>().ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> GetStatusAsync(HttpContext context, string id, GatewayAccess access, GatewayStatusStore statuses, CancellationToken cancellationToken)
    {
        if (await AccessibleAsync(context, id, access, cancellationToken) is not { } gatewayId
            || await statuses.GetAsync(gatewayId, cancellationToken) is not { } status)
        {
            return NotFound(context);
        }

        var measured = status.Measurements;
        return TypedResults.Ok(new StatusView(status.Ts, measured[Measurement.PvW], measured[Measurement.BatterySoc], measured[Measurement.BatteryW],
            measured.Flag(Measurement.EvConnected), measured[Measurement.EvSoc], measured[Measurement.EvW], measured[Measurement.GridW], measured[Measurement.LoadW],
            status.Units.Select(u => new UnitView(u.UnitNo, u.Status, u.Faults)).ToList()));
    }

    private static async Task<IResult> GetHistoryAsync(
        HttpContext context, string id, string? from, string? to, string? resolution, GatewayAccess access, TelemetryHistory history, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await AccessibleAsync(context, id, access, cancellationToken) is not { } gatewayId)
        {
            return NotFound(context);
        }

        var errors = new ValidationErrors();
        var query = HistoryQuery.Read(from, to, resolution, time.GetUtcNow(), errors);
        if (query is null)
        {
            return errors.ToProblem(context);
        }

        return TypedResults.Ok(await history.ReadAsync(gatewayId, query, cancellationToken));
    }

    private static async Task<IResult> GetAlertsAsync(HttpContext context, string id, GatewayAccess access, AlertStore alerts, CancellationToken cancellationToken)
    {
        if (await AccessibleAsync(context, id, access, cancellationToken) is not { } gatewayId)
        {
            return NotFound(context);
        }

        var english = Messages.PrefersEnglish(context);
        var occurrences = await alerts.HistoryAsync(gatewayId, MaxAlerts, cancellationToken);
        return TypedResults.Ok(occurrences.Select(a => AlertView.Of(a, english)).ToList());
    }

    private static async Task<IResult> GetSettingsAsync(HttpContext context, string id, GatewayAccess access, GatewaySettingsStore settings, CancellationToken cancellationToken)
    {
        if (await AccessibleAsync(context, id, access, cancellationToken) is not { } gatewayId)
        {
            return NotFound(context);
        }

        return TypedResults.Ok(View(await settings.GetAsync(gatewayId, cancellationToken)));
    }

    private static async Task<IResult> PutSettingsAsync(
        HttpContext context, string id, GatewayAccess access, GatewaySettingsStore settings, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await AccessibleAsync(context, id, access, cancellationToken) is not { } gatewayId)
        {
            return NotFound(context);
        }

        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        if (SettingsForm.Read(form) is not ({ } desired, var expectedVersion))
        {
            return errors.ToProblem(context);
        }

        return await settings.SetAsync(gatewayId, desired, expectedVersion, time.GetUtcNow(), cancellationToken) is { } updated
            ? TypedResults.Ok(View(updated))
            : Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.SettingsVersionConflict);
    }

    public static SettingsView View(SettingsRecord record) => new(
        record.Desired.OperationMode,
        record.Desired.BatteryReservePercent,
        EvChargeWindowView.Of(record.Desired),
        record.Version,
        record.UpdatedAt,
        record.AppliedVersion is { } applied ? new AppliedView(applied, record.AppliedAt) : null);

    /// <summary>The normalised gateway ID when the caller may monitor it, else null (answered as 404).</summary>
    private static async Task<string?> AccessibleAsync(HttpContext context, string id, GatewayAccess access, CancellationToken cancellationToken)
    {
        var gatewayId = GatewayId.Normalize(id);
        return await access.CanMonitorAsync(context.RequireCurrentUser(), gatewayId, cancellationToken) ? gatewayId : null;
    }

    /// <summary>A gateway the caller may not monitor: for a dealer most likely one whose maintenance link has ended.</summary>
    private static IResult NotFound(HttpContext context) => Problems.Create(context, StatusCodes.Status404NotFound,
        context.RequireCurrentUser().DealerId is null ? MessageKey.GatewayNotFound : MessageKey.DealerGatewayNotMaintained);
}
