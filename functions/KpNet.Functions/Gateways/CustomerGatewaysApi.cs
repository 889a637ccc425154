using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Sessions;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Inventory;
using KpNet.Registration;
using KpNet.Telemetry;

namespace KpNet.Gateways;

/// <summary>
/// ゲートウェイの管理 for the signed-in customer. Every lookup is in the caller's own CustomerGateways partition, so another
/// customer's gateway answers exactly like one that does not exist.
/// </summary>
public static class CustomerGatewaysApi
{
    public sealed record GatewayListItem(string Id, string SiteName, AddressView SiteAddress, DateTimeOffset? FirstCommunicatedAt, int DealerCount);

    public static IEndpointRouteBuilder MapCustomerGateways(this IEndpointRouteBuilder app)
    {
        // The collection routes are mapped outside the group: a group's "" route would publish as "gateways/".
        app.MapGet("/api/gateways", ListAsync).WithName("Gateways").RequireSession(AccountRoles.Owners)
            .WithPagingRules()
            .WithQueryRules("id", new FieldRules { Description = "Only gateways whose ID contains this (case is ignored)." })
            .WithQueryRules("site", new FieldRules { Description = "Only sites whose name contains this (case is ignored)." })
            .WithQueryRules("prefecture", new FieldRules { Description = "Only sites in this prefecture, spelt as the forms take it (another spelling matches none)." })
            .WithQueryRules("city", new FieldRules { Description = "Only sites whose city contains this (case is ignored)." })
            .WithQueryRules("address", new FieldRules { Description = "Only sites whose street address contains this (case is ignored)." })
            .Produces<PageView<GatewayListItem>>().ProducesValidationProblem();
        app.MapPost("/api/gateways", AddAsync).WithName("AddGateway").RequireSession(AccountRoles.Owners).AcceptsForm(form => ReadAddition(form, DateOnly.MaxValue))
            .Produces<GatewayDetail>(StatusCodes.Status201Created).ProducesCredentialRefusals();
        var gateways = app.MapGroup("/api/gateways").RequireSession(AccountRoles.Owners).ProducesProblem(StatusCodes.Status404NotFound);
        gateways.MapGet("/{id}", GetAsync).WithName("Gateway").Produces<GatewayDetail>();
        gateways.MapPatch("/{id}", EditSiteAsync).WithName("EditGatewaySite").AcceptsForm(form => GatewayForms.Site(form)).Produces<GatewayDetail>();
        gateways.MapPut("/{id}/grid-connection-date", SetGridConnectionDateAsync).WithName("SetGridConnectionDate")
            .AcceptsForm(form => GatewayForms.GridConnectionDate(form, DateOnly.MaxValue)).Produces<GatewayDetail>();
        gateways.MapPost("/{id}/replacement", ReplaceAsync).WithName("ReplaceGateway").AcceptsForm(form => GatewayForms.Credentials(form)).Produces<GatewayDetail>().ProducesCredentialRefusals();
        gateways.MapDelete("/{id}", DisposeAsync).WithName("DisposeGateway").Produces(StatusCodes.Status204NoContent);
        return app;
    }

    /// <summary>What <see cref="Refused"/> answers besides field errors: an unknown gateway, one already taken, guessing.</summary>
    private static RouteHandlerBuilder ProducesCredentialRefusals(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);

    /// <summary>The same 404 for a gateway that does not exist, is someone else's, or is not a gateway ID at all.</summary>
    public static IResult NotFound(HttpContext context) => Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.GatewayNotFound);

    private static async Task<IResult> ListAsync(
        HttpContext context, CustomerSites sites, GatewayStatusStore statuses, MaintenanceLinks links, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (Paging.Read(context, errors) is not var (page, pageSize))
        {
            return errors.ToProblem(context);
        }

        var query = context.Request.Query;
        string? Filter(string name) => query[name].ToString() is { Length: > 0 } value && JsonForm.Normalize(value) is { Length: > 0 } normalized ? normalized : null;
        var id = Filter("id")?.ToUpperInvariant();
        var siteName = Filter("site");
        var prefecture = Filter("prefecture");
        var city = Filter("city");
        var street = Filter("address");

        var matching = (await sites.ListAsync(context.RequireCurrentUser().UserId, cancellationToken))
            .Where(s => (id is null || s.GatewayId.Contains(id, StringComparison.Ordinal))
                && (siteName is null || TextSearch.Matches(s.SiteName, siteName))
                && (prefecture is null || s.Address.Prefecture == prefecture)
                && (city is null || TextSearch.Matches(s.Address.City, city))
                && (street is null || TextSearch.Matches(s.Address.Street, street)))
            .OrderBy(s => s.AddedAt)
            .ThenBy(s => s.GatewayId, StringComparer.Ordinal)
            .ToList();

        var items = new List<GatewayListItem>();
        foreach (var site in matching.Skip((int)Math.Min((long)(page - 1) * pageSize, int.MaxValue)).Take(pageSize))
        {
            var status = await statuses.GetAsync(site.GatewayId, cancellationToken);
            var dealerCount = (await links.ListAsync(site.GatewayId, cancellationToken)).Count;
            items.Add(new GatewayListItem(site.GatewayId, site.SiteName, AddressView.Of(site.Address), status?.FirstCommunicatedAt, dealerCount));
        }

        return TypedResults.Ok(new PageView<GatewayListItem>(items, matching.Count, page, pageSize));
    }

    private static async Task<IResult> AddAsync(
        HttpContext context, GatewayManagement management, GatewayViews views, TimeProvider time, ILogger<GatewayManagement> logger, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var (id, password, site, gridConnectionDate) = ReadAddition(form, JapanTime.DateOf(time.GetUtcNow()));
        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        var user = context.RequireCurrentUser();
        var change = await management.AddAsync(user, id!, password!, site!, gridConnectionDate, ClientAddress.Of(context), cancellationToken);
        return change is GatewayChange.Done { Site: var added }
            ? TypedResults.Created($"/api/gateways/{added.GatewayId}", await views.DetailAsync(added, cancellationToken))
            : Refused(context, user, id!, change, logger, "gateway.id", "gateway.password");
    }

    /// <summary>{"gateway":{"id","password"},"site":{…},"gridConnectionDate"?}: the registration form's gateway part.</summary>
    private static (string? Id, string? Password, SiteInput? Site, DateOnly? GridConnectionDate) ReadAddition(JsonForm form, DateOnly todayInJapan)
    {
        var (id, password) = GatewayForms.Credentials(form);
        return (id, password, GatewayForms.Site(form), CustomerFields.PastDate(form, "gridConnectionDate", todayInJapan));
    }

    private static async Task<IResult> GetAsync(HttpContext context, string id, CustomerSites sites, GatewayViews views, CancellationToken cancellationToken) =>
        await sites.FindAsync(context.RequireCurrentUser().UserId, GatewayId.Normalize(id), cancellationToken) is { } site
            ? TypedResults.Ok(await views.DetailAsync(site, cancellationToken))
            : NotFound(context);

    /// <summary>The caller's own site of the gateway and the request's form; else the refusal (404 for a gateway that is not theirs, 400 for a body that is no JSON object).</summary>
    private static async Task<(CustomerSite? Site, JsonForm? Form, IResult? Refusal)> OwnSiteAndFormAsync(
        HttpContext context, CurrentUser user, string id, CustomerSites sites, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (await sites.FindAsync(user.UserId, GatewayId.Normalize(id), cancellationToken) is not { } site)
        {
            return (null, null, NotFound(context));
        }

        return await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is { } form
            ? (site, form, null)
            : (null, null, Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed));
    }

    private static async Task<IResult> EditSiteAsync(
        HttpContext context, string id, CustomerSites sites, GatewayViews views, AccountStore accounts, MaintenanceLinks links, ILogger<GatewayManagement> logger,
        CancellationToken cancellationToken)
    {
        var user = context.RequireCurrentUser();
        var errors = new ValidationErrors();
        var (site, form, refusal) = await OwnSiteAndFormAsync(context, user, id, sites, errors, cancellationToken);
        if (site is null || form is null)
        {
            return refusal!;
        }

        if (GatewayForms.Site(form) is not { } edited)
        {
            return errors.ToProblem(context);
        }

        var updated = site with { SiteName = edited.Name, Address = edited.Address };
        await sites.UpsertAsync(updated, cancellationToken);
        if (updated.SiteName != site.SiteName)
        {
            await links.CopyListedNamesAsync(updated.GatewayId, ListedNames.Of(updated, await accounts.FindByUserIdAsync(user.UserId, cancellationToken)), cancellationToken);
        }

        logger.SiteEdited(user.UserId, updated.GatewayId);
        return TypedResults.Ok(await views.DetailAsync(updated, cancellationToken));
    }

    /// <summary>
    /// 系統連系日 entered or corrected after registration (KPAC-B manual §1-1): the same rule as at registration (a real
    /// date, not in the future), for KPAC-B gateways only, as the extension it decides is theirs. Each change is logged
    /// with the previous date.
    /// </summary>
    private static async Task<IResult> SetGridConnectionDateAsync(
        HttpContext context, string id, CustomerSites sites, GatewayInventory inventory, GatewayViews views, TimeProvider time,
        ILogger<GatewayManagement> logger, CancellationToken cancellationToken)
    {
        var user = context.RequireCurrentUser();
        var errors = new ValidationErrors();
        var (site, form, refusal) = await OwnSiteAndFormAsync(context, user, id, sites, errors, cancellationToken);
        if (site is null || form is null)
        {
            return refusal!;
        }

        var date = GatewayForms.GridConnectionDate(form, JapanTime.DateOf(time.GetUtcNow()));
        if (date is not null && (await inventory.FindAsync(site.GatewayId, cancellationToken))?.Product != ProductLine.KpacB)
        {
            errors.Add("gridConnectionDate", MessageKey.GridConnectionDateKpacBOnly);
        }

        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        var updated = site with { GridConnectionDate = date };
        await sites.UpsertAsync(updated, cancellationToken);
        logger.GridConnectionDateSet(user.UserId, updated.GatewayId, date!.Value, site.GridConnectionDate);
        return TypedResults.Ok(await views.DetailAsync(updated, cancellationToken));
    }

    private static async Task<IResult> ReplaceAsync(
        HttpContext context, string id, CustomerSites sites, GatewayManagement management, GatewayViews views, ILogger<GatewayManagement> logger,
        CancellationToken cancellationToken)
    {
        var user = context.RequireCurrentUser();
        var oldId = GatewayId.Normalize(id);
        if (await sites.FindAsync(user.UserId, oldId, cancellationToken) is null)
        {
            return NotFound(context);
        }

        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var (newId, password) = GatewayForms.Credentials(form);
        if (newId == oldId)
        {
            errors.Add("gateway.id", MessageKey.GatewayReplacementSameId);
        }

        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        var change = await management.ReplaceAsync(user, oldId, newId!, password!, ClientAddress.Of(context), cancellationToken);
        return change is GatewayChange.Done { Site: var replacement }
            ? TypedResults.Ok(await views.DetailAsync(replacement, cancellationToken))
            : Refused(context, user, newId!, change, logger, "gateway.id", "gateway.password");
    }

    private static async Task<IResult> DisposeAsync(HttpContext context, string id, GatewayManagement management, CancellationToken cancellationToken) =>
        await management.DisposeAsync(context.RequireCurrentUser(), GatewayId.Normalize(id), cancellationToken) is GatewayChange.Done
            ? TypedResults.NoContent()
            : NotFound(context);

    private static IResult Refused(HttpContext context, CurrentUser user, string gatewayId, GatewayChange change, ILogger logger, string idPath, string passwordPath)
    {
        switch (change)
        {
            case GatewayChange.CredentialsRefused { Check: GatewayCheck.Throttled { RetryAfter: var retryAfter } }:
                logger.CredentialsThrottled(user.UserId, gatewayId, retryAfter);
                return Problems.TooManyAttempts(context, retryAfter);
            case GatewayChange.CredentialsRefused:
                logger.CredentialsRefused(user.UserId, gatewayId);
                return new ValidationErrors()
                    .Add(idPath, MessageKey.RegistrationGatewayCredentialsWrong)
                    .Add(passwordPath, MessageKey.RegistrationGatewayCredentialsWrong)
                    .ToProblem(context);
            case GatewayChange.Taken:
                return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.RegistrationGatewayTaken);
            default:
                return NotFound(context);
        }
    }
}
