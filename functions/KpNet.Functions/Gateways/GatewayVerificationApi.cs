using KpNet.Access;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Inventory;
using KpNet.Registration;
using KpNet.Telemetry;

namespace KpNet.Gateways;

/// <summary>The gateway check of registration (and of adding a gateway): the ID and password from the sheet in its box.</summary>
public static class GatewayVerificationApi
{
    public static IEndpointRouteBuilder MapGatewayVerification(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/gateways/verify", VerifyGatewayAsync).WithName("VerifyGateway").AcceptsForm(form => ReadGatewayCheck(form))
            .Produces<RegistrationApi.GatewayView>().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<IResult> VerifyGatewayAsync(
        HttpContext context, GatewayCredentials credentials, GatewayClaims claims, RegistrationRelease release, GatewayStatusStore statuses,
        ILogger<GatewayCredentials> logger, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var (id, password) = ReadGatewayCheck(form);
        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        var check = await credentials.VerifyAsync(id!, password!, ClientAddress.Of(context), cancellationToken);
        if (check is not GatewayCheck.Verified { Gateway: var gateway })
        {
            return RegistrationApi.GatewayRefused(context, id!, check, logger, "id", "password");
        }

        if (await claims.FindAsync(gateway.Id, cancellationToken) is { } claim && !await release.TryReleaseAsync(claim, cancellationToken))
        {
            return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.RegistrationGatewayTaken);
        }

        var status = await statuses.GetAsync(gateway.Id, cancellationToken);
        return TypedResults.Ok(new RegistrationApi.GatewayView(gateway.Id, gateway.Model, gateway.Serial, ProductLines.Name(gateway.Product), status?.FirstCommunicatedAt,
            (status?.UnitConfiguration ?? []).Select(u => new RegistrationApi.UnitView(u.UnitNo, u.Model, u.Serial)).ToList()));
    }

    /// <summary>{"id","password"}: the gateway's credentials from the sheet in its box.</summary>
    private static (string? Id, string? Password) ReadGatewayCheck(JsonForm form)
    {
        var id = CustomerRegistration.ReadGatewayId(form, "id");
        var password = form.RawText("password");
        if (password is null && !form.Errors.Paths.Contains("password"))
        {
            form.Errors.Add("password", MessageKey.Required);
        }

        return (id, password);
    }
}
