using System.Text;
using KpNet.Accounts;
using KpNet.Accounts.Registration;
using KpNet.Accounts.Sessions;
using KpNet.Gateways.Inventory;
using KpNet.Gateways.Maintenance;
using KpNet.Http;

namespace KpNet.Gateways;

/// <summary>The operator's side of gateways: importing the factory inventory, and one gateway's owner, links and history.</summary>
public static class OperatorGatewaysApi
{
    public sealed record ImportResult(int Imported, int AlreadyPresent, IReadOnlyList<InventoryCsvError> Errors);

    public sealed record OwnerView(string UserId, string Email, string? Name);

    public sealed record ClaimView(string Status, DateTimeOffset ClaimedAt, DateTimeOffset? ExpiresAt);

    public sealed record HistoryView(string Kind, DateTimeOffset At, string ActorUserId, string? OtherGatewayId, int? DealerId);

    public sealed record OperatorGatewayView(
        string Id, string? Model, string? Serial, string? Product, OwnerView? Owner, ClaimView? Claim, SiteView? Site,
        IReadOnlyList<MaintenanceLink> Links, IReadOnlyList<HistoryView> History);

    public static IEndpointRouteBuilder MapOperatorGateways(this IEndpointRouteBuilder app)
    {
        var operators = app.MapGroup("/api/operator").RequireSession(AccountRole.Admin);
        operators.MapPost("/gateway-inventory", ImportAsync).Accepts<string>(InventoryCsv.ContentType).WithName("OperatorImportGatewayInventory")
            .Produces<ImportResult>();
        operators.MapGet("/gateways/{id}", GetAsync).WithName("OperatorGateway").Produces<OperatorGatewayView>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>The CSV body (header id,password,model,serial,product), through the same code as the demo import.</summary>
    private static async Task<IResult> ImportAsync(HttpContext context, GatewayInventory inventory, ILogger<GatewayManagement> logger, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var (rows, errors) = InventoryCsv.Parse(new StringReader(await reader.ReadToEndAsync(cancellationToken)));
        var result = await inventory.ImportAsync(rows, cancellationToken);
        logger.InventoryImported(context.RequireCurrentUser().UserId, result.Imported, result.AlreadyPresent, errors.Count);
        return TypedResults.Ok(new ImportResult(result.Imported, result.AlreadyPresent, errors));
    }

    private static async Task<IResult> GetAsync(
        HttpContext context, string id, GatewayInventory inventory, GatewayClaims claims, AccountStore accounts, CustomerSites sites,
        MaintenanceLinks links, GatewayHistory history, CancellationToken cancellationToken)
    {
        var gatewayId = GatewayId.Normalize(id);
        if (!GatewayId.IsValid(gatewayId))
        {
            return CustomerGatewaysApi.NotFound(context);
        }

        var gateway = await inventory.FindAsync(gatewayId, cancellationToken);
        var claim = await claims.FindAsync(gatewayId, cancellationToken);
        if (gateway is null && claim is null)
        {
            return CustomerGatewaysApi.NotFound(context);
        }

        var owner = claim is null ? null : await accounts.FindByUserIdAsync(claim.OwnerUserId, cancellationToken);
        var site = claim is null ? null : await sites.FindAsync(claim.OwnerUserId, gatewayId, cancellationToken);
        return TypedResults.Ok(new OperatorGatewayView(
            gatewayId, gateway?.Model, gateway?.Serial, GatewayViews.ProductName(gateway?.Product),
            claim is null ? null : new OwnerView(claim.OwnerUserId, claim.OwnerEmail, owner is null ? null : RegistrationMailer.DisplayName(owner)),
            claim is null ? null : new ClaimView(claim.Status.ToString().ToLowerInvariant(), claim.ClaimedAt, claim.ExpiresAt),
            site is null ? null : SiteView.Of(site),
            await links.ListAsync(gatewayId, cancellationToken),
            (await history.ListAsync(gatewayId, cancellationToken))
                .Select(e => new HistoryView(e.Kind.ToString(), e.At, e.ActorUserId, e.OtherGatewayId, e.DealerId)).ToList()));
    }
}
