using KpNet.Access;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Inventory;
using KpNet.Telemetry;

namespace KpNet.Monitoring;

/// <summary>
/// The gateway's own endpoints: it authenticates with its ID and password (checked and throttled exactly like the
/// registration's gateway check), reads its desired settings, reports the version it applied, and fetches the token it
/// sends its telemetry with.
/// </summary>
public static partial class GatewayApi
{
    public sealed record TelemetryTokenView(string Endpoint, string Token, DateTimeOffset ExpiresAt);

    public sealed record GatewaySettingsView(int Version, string OperationMode, int BatteryReservePercent, EvChargeWindowView? EvChargeWindow);

    public static IEndpointRouteBuilder MapGatewayApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/gateway-api/settings", ReadSettingsAsync).WithName("GatewayApiSettings").AcceptsForm(form => ReadCall(form, readVersion: false))
            .Produces<GatewaySettingsView>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
        app.MapPost("/api/gateway-api/settings/applied", ReportAppliedAsync).WithName("GatewayApiSettingsApplied").AcceptsForm(form => ReadCall(form, readVersion: true))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
        app.MapPost("/api/gateway-api/telemetry-token", IssueTelemetryTokenAsync).WithName("GatewayApiTelemetryToken").AcceptsForm(form => ReadCall(form, readVersion: false))
            .Produces<TelemetryTokenView>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<IResult> ReadSettingsAsync(
        HttpContext context, GatewayCredentials credentials, GatewaySettingsStore settings, ILogger<GatewaySettingsStore> logger, CancellationToken cancellationToken)
    {
        var (gatewayId, _, refusal) = await AuthenticateAsync(context, credentials, logger, readVersion: false, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var current = await settings.GetAsync(gatewayId!, cancellationToken);
        return TypedResults.Ok(new GatewaySettingsView(current.Version, current.Desired.OperationMode, current.Desired.BatteryReservePercent, EvChargeWindowView.Of(current.Desired)));
    }

    /// <summary>The gateway's credential for sending its telemetry as its own Event Hubs publisher; none for a retired gateway.</summary>
    private static async Task<IResult> IssueTelemetryTokenAsync(
        HttpContext context, GatewayCredentials credentials, GatewayClaims claims, TelemetryPublishers publishers, ILogger<TelemetryPublishers> logger,
        CancellationToken cancellationToken)
    {
        var (gatewayId, _, refusal) = await AuthenticateAsync(context, credentials, logger, readVersion: false, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        if (await claims.FindAsync(gatewayId!, cancellationToken) is { Status: ClaimStatus.Retired })
        {
            return Problems.Create(context, StatusCodes.Status403Forbidden, MessageKey.GatewayRetired);
        }

        var token = publishers.Issue(gatewayId!);
        LogTelemetryTokenIssued(logger, gatewayId!, token.ExpiresAt);
        return TypedResults.Ok(new TelemetryTokenView(token.Endpoint.AbsoluteUri, token.Token, token.ExpiresAt));
    }

    private static async Task<IResult> ReportAppliedAsync(
        HttpContext context, GatewayCredentials credentials, GatewaySettingsStore settings, TimeProvider time, ILogger<GatewaySettingsStore> logger,
        CancellationToken cancellationToken)
    {
        var (gatewayId, version, refusal) = await AuthenticateAsync(context, credentials, logger, readVersion: true, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        if (!await settings.RecordAppliedAsync(gatewayId!, version!.Value, time.GetUtcNow(), cancellationToken))
        {
            return new ValidationErrors().Add("version", MessageKey.SettingsVersionUnknown).ToProblem(context);
        }

        LogSettingsApplied(logger, gatewayId!, version.Value);
        return TypedResults.NoContent();
    }

    private static async Task<(string? GatewayId, int? Version, IResult? Refusal)> AuthenticateAsync(
        HttpContext context, GatewayCredentials credentials, ILogger logger, bool readVersion, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return (null, null, Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed));
        }

        var (id, password, version) = ReadCall(form, readVersion);
        if (errors.Any)
        {
            return (null, null, errors.ToProblem(context));
        }

        if (!GatewayId.IsValid(id!))
        {
            return (null, null, Problems.Create(context, StatusCodes.Status401Unauthorized, MessageKey.RegistrationGatewayCredentialsWrong));
        }

        switch (await credentials.VerifyAsync(id!, password!, ClientAddress.Of(context), cancellationToken))
        {
            case GatewayCheck.Verified:
                return (id, version, null);
            case GatewayCheck.Throttled { RetryAfter: var retryAfter }:
                return (null, null, Problems.TooManyAttempts(context, retryAfter));
            default:
                LogGatewayRefused(logger, id!);
                return (null, null, Problems.Create(context, StatusCodes.Status401Unauthorized, MessageKey.RegistrationGatewayCredentialsWrong));
        }
    }

    /// <summary>{"id","password"} and, reporting applied settings, {"version"}: a wrong ID is a 401 like a wrong password, not a field error.</summary>
    private static (string? Id, string? Password, int? Version) ReadCall(JsonForm form, bool readVersion)
    {
        form.Rules("id", new FieldRules { Description = "The gateway's ID; one that is not 12 letters and digits is refused like a wrong password (401)." });
        var id = form.Text("id") is { } text ? GatewayId.Normalize(text) : null;
        var password = form.RawText("password");
        foreach (var (path, value) in new[] { ("id", id), ("password", password) })
        {
            if (value is null && !form.Errors.Paths.Contains(path))
            {
                form.Errors.Add(path, MessageKey.Required);
            }
        }

        int? version = null;
        if (readVersion)
        {
            form.Rules("version", new FieldRules { Minimum = 0, Pattern = "^[0-9]+$", Description = "The settings version the gateway applied." });
            var versionText = form.TextOrNumber("version");
            if (int.TryParse(versionText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v))
            {
                version = v;
            }
            else if (!form.Errors.Paths.Contains("version"))
            {
                form.Errors.Add("version", versionText is null ? MessageKey.Required : MessageKey.RegistrationFieldInvalid);
            }
        }

        return (id, password, version);
    }

    [LoggerMessage(EventId = 7200, EventName = "GatewayApiRefused", Level = LogLevel.Warning, Message = "Gateway API call for gateway {GatewayId} refused: wrong ID or password")]
    private static partial void LogGatewayRefused(ILogger logger, string gatewayId);

    [LoggerMessage(EventId = 7202, EventName = "TelemetryTokenIssued", Level = LogLevel.Information, Message = "Gateway {GatewayId} was given a telemetry token valid until {ExpiresAt}")]
    private static partial void LogTelemetryTokenIssued(ILogger logger, string gatewayId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 7201, EventName = "GatewaySettingsApplied", Level = LogLevel.Information, Message = "Gateway {GatewayId} applied settings version {Version}")]
    private static partial void LogSettingsApplied(ILogger logger, string gatewayId, int version);
}
