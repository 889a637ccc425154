using System.Globalization;
using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Dealers;
using KpNet.Accounts.Sessions;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Inventory;
using KpNet.Observability;
using KpNet.Security;

namespace KpNet.Gateways.Maintenance;

/// <summary>保守を任せる販売店様の管理: preview a dealer by ID + phone, link it, unlink it.</summary>
public static class MaintenanceApi
{
    /// <summary>Wrong dealer ID + phone pairs, per customer and per client address (IDs are sequential, so guessable).</summary>
    public static readonly ThrottleRule PerCustomer = new("dealer-pair", Limit: 10, Window: TimeSpan.FromMinutes(15), Lockout: TimeSpan.FromMinutes(15));
    public static readonly ThrottleRule PerClient = new("dealer-pair-client", Limit: 30, Window: TimeSpan.FromMinutes(15), Lockout: TimeSpan.FromMinutes(15));

    public sealed record DealerPreview(DealerView Dealer, IReadOnlyList<DealerView> CurrentDealers);

    public static IEndpointRouteBuilder MapMaintenance(this IEndpointRouteBuilder app)
    {
        var dealers = app.MapGroup("/api/gateways/{id}").RequireSession(AccountRoles.Owners).ProducesProblem(StatusCodes.Status404NotFound);
        dealers.MapPost("/dealers/preview", PreviewAsync).WithName("PreviewGatewayDealer").AcceptsForm(form => ReadDealerPair(form))
            .Produces<DealerPreview>().ProducesProblem(StatusCodes.Status429TooManyRequests);
        dealers.MapPost("/dealers", LinkAsync).WithName("LinkGatewayDealer").AcceptsForm(form => ReadDealerPair(form))
            .Produces<DealerPreview>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        dealers.MapDelete("/dealers/{dealerId}", UnlinkAsync).WithName("UnlinkGatewayDealer").Produces(StatusCodes.Status204NoContent);
        return app;
    }

    private static async Task<IResult> PreviewAsync(
        HttpContext context, string id, CustomerSites sites, DealerDirectory dealers, Throttle throttle, GatewayViews views,
        KpNetMetrics metrics, ILogger<MaintenanceLinks> logger, CancellationToken cancellationToken)
    {
        var user = context.RequireCurrentUser();
        if (await sites.FindAsync(user.UserId, GatewayId.Normalize(id), cancellationToken) is not { } site)
        {
            return CustomerGatewaysApi.NotFound(context);
        }

        var (dealer, refusal) = await FindPairAsync(context, user, dealers, throttle, metrics, logger, cancellationToken);
        return dealer is null
            ? refusal!
            : TypedResults.Ok(new DealerPreview(DealerView.Of(dealer), await views.DealersOfAsync(site.GatewayId, cancellationToken)));
    }

    private static async Task<IResult> LinkAsync(
        HttpContext context, string id, CustomerSites sites, DealerDirectory dealers, Throttle throttle, MaintenanceLinks links, GatewayHistory history,
        GatewayViews views, AccountStore accounts, MaintenanceMailer mailer, KpNetMetrics metrics, TimeProvider time, ILogger<MaintenanceLinks> logger, CancellationToken cancellationToken)
    {
        var user = context.RequireCurrentUser();
        if (await sites.FindAsync(user.UserId, GatewayId.Normalize(id), cancellationToken) is not { } site)
        {
            return CustomerGatewaysApi.NotFound(context);
        }

        var (dealer, refusal) = await FindPairAsync(context, user, dealers, throttle, metrics, logger, cancellationToken);
        if (dealer is null)
        {
            return refusal!;
        }

        var now = time.GetUtcNow();
        var customer = await accounts.FindByUserIdAsync(user.UserId, cancellationToken);
        switch (await links.TryLinkAsync(site.GatewayId, dealer.DealerId, now, ListedNames.Of(site, customer), cancellationToken))
        {
            case LinkOutcome.AlreadyLinked:
                logger.DealerLinkRefused(user.UserId, dealer.DealerId, site.GatewayId, "already linked");
                return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.DealerAlreadyLinked);
            case LinkOutcome.Full:
                logger.DealerLinkRefused(user.UserId, dealer.DealerId, site.GatewayId, "5 dealers linked");
                return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.DealerLimitReached);
        }

        await history.RecordAsync(new GatewayEvent(site.GatewayId, GatewayEventKind.DealerLinked, now, user.UserId, DealerId: dealer.DealerId), cancellationToken);
        if (customer is not null)
        {
            await mailer.SendLinkedAsync(customer, site, dealer, cancellationToken);
        }

        logger.DealerLinked(user.UserId, dealer.DealerId, site.GatewayId);
        return TypedResults.Created($"/api/gateways/{site.GatewayId}/dealers/{dealer.DealerId}",
            new DealerPreview(DealerView.Of(dealer), await views.DealersOfAsync(site.GatewayId, cancellationToken)));
    }

    private static async Task<IResult> UnlinkAsync(
        HttpContext context, string id, string dealerId, CustomerSites sites, DealerDirectory dealers, MaintenanceLinks links, GatewayHistory history,
        AccountStore accounts, MaintenanceMailer mailer, TimeProvider time, ILogger<MaintenanceLinks> logger, CancellationToken cancellationToken)
    {
        var user = context.RequireCurrentUser();
        if (await sites.FindAsync(user.UserId, GatewayId.Normalize(id), cancellationToken) is not { } site)
        {
            return CustomerGatewaysApi.NotFound(context);
        }

        if (!int.TryParse(JsonForm.Normalize(dealerId), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || !await links.UnlinkAsync(site.GatewayId, number, cancellationToken))
        {
            return Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.DealerNotLinked);
        }

        await history.RecordAsync(new GatewayEvent(site.GatewayId, GatewayEventKind.DealerUnlinked, time.GetUtcNow(), user.UserId, DealerId: number), cancellationToken);
        if (await dealers.FindAsync(number, cancellationToken) is { } dealer)
        {
            await mailer.SendUnlinkedAsync(await accounts.FindByUserIdAsync(user.UserId, cancellationToken), site, dealer, UnlinkReason.ByCustomer, cancellationToken);
        }

        logger.DealerUnlinked(user.UserId, number, site.GatewayId);
        return TypedResults.NoContent();
    }

    /// <summary>{"dealerId","phone"}: 販売店ID (a number, or its digits as text) and the dealer's phone number, compared by the caller.</summary>
    private static (int DealerId, string? Phone) ReadDealerPair(JsonForm form)
    {
        form.Rules("dealerId", new FieldRules { Minimum = 0, Pattern = "^[0-9]+$" });
        var idText = form.TextOrNumber("dealerId");
        var phone = CustomerFields.Required(form, "phone", maxLength: 30);
        var dealerId = 0;
        if (idText is null)
        {
            form.Errors.TryAdd("dealerId", MessageKey.Required);
        }
        else if (!int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out dealerId))
        {
            form.Errors.Add("dealerId", MessageKey.DealerIdInvalid);
        }

        return (dealerId, phone);
    }

    /// <summary>The dealer whose ID and phone number both match, or the answer to give: field errors, one message for any wrong pair, or 429.</summary>
    private static async Task<(Dealer? Dealer, IResult? Refusal)> FindPairAsync(
        HttpContext context, CurrentUser user, DealerDirectory dealers, Throttle throttle, KpNetMetrics metrics, ILogger logger, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return (null, Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed));
        }

        var (dealerId, phone) = ReadDealerPair(form);
        if (errors.Any)
        {
            return (null, errors.ToProblem(context));
        }

        var keys = new[] { (PerCustomer, user.UserId), (PerClient, ClientAddress.Of(context)) };
        foreach (var (rule, key) in keys)
        {
            if (await throttle.CheckAsync(rule, key, cancellationToken) is { Allowed: false } blocked)
            {
                metrics.AuthFailure(AuthFailureKind.DealerLink, blocked: true);
                logger.DealerPairThrottled(user.UserId, blocked.RetryAfter);
                return (null, Problems.TooManyAttempts(context, blocked.RetryAfter));
            }
        }

        var dealer = await dealers.FindAsync(dealerId, cancellationToken);
        if (dealer is not null && PhoneNumber.Matches(CustomerFields.PhoneDigits(phone), dealer.Phone))
        {
            return (dealer, null);
        }

        logger.DealerPairRejected(user.UserId);
        foreach (var (rule, key) in keys)
        {
            if (await throttle.RecordFailureAsync(rule, key, cancellationToken) is { Allowed: false } nowBlocked)
            {
                metrics.AuthFailure(AuthFailureKind.DealerLink, blocked: true);
                logger.DealerPairThrottled(user.UserId, nowBlocked.RetryAfter);
                return (null, Problems.TooManyAttempts(context, nowBlocked.RetryAfter));
            }
        }

        metrics.AuthFailure(AuthFailureKind.DealerLink, blocked: false);

        return (null, new ValidationErrors().Add("dealerId", MessageKey.DealerPairWrong).Add("phone", MessageKey.DealerPairWrong).ToProblem(context));
    }
}
