using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Accounts.Dealers;
using KpNet.Accounts.Recovery;
using KpNet.Accounts.Sessions;
using KpNet.Audit;
using KpNet.Dealers;
using KpNet.Gateways;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Inventory;
using KpNet.Monitoring;
using KpNet.Telemetry;
using KpNet.Telemetry.Alerts;

namespace KpNet.Operators;

/// <summary>The operator's side of gateways: importing the factory inventory, finding a gateway, and everything known about one.</summary>
public static class OperatorGatewaysApi
{
    /// <summary>What the operator reads of a customer's data on the gateway screen, recorded in the customer's audit log.</summary>
    public static readonly string[] OwnerFields = ["name", "phone", "email"];

    public const int MaxMatches = 50;
    public const int MaxAlerts = 50;
    public const int DeadLetterDays = 7;
    public const int MaxDeadLetters = 20;

    public sealed record LineProblem(int Line, string? Column, string Message);

    public sealed record ImportResult(int Imported, int AlreadyPresent, int Refused, IReadOnlyList<LineProblem> Errors);

    public sealed record DryRunResult(int Rows, int New, int AlreadyPresent, int Refused, IReadOnlyList<LineProblem> Errors);

    public sealed record GatewayMatch(string Id, string? Model, string? Serial, string? Product, string ClaimStatus, string MatchedBy);

    /// <summary>The owner's account; <c>status</c> provisional or active, null when the account is gone.</summary>
    public sealed record OwnerView(string UserId, string Email, string? Name, string Phone, string? Status, bool Locked);

    public sealed record ClaimView(string Status, DateTimeOffset? ClaimedAt, DateTimeOffset? ExpiresAt);

    public sealed record LinkView(int DealerId, string? Name, string? Phone, DateTimeOffset LinkedAt);

    public sealed record HistoryView(string Kind, DateTimeOffset At, string ActorUserId, string? OtherGatewayId, int? DealerId);

    public sealed record OperatorGatewayView(
        string Id, string? Model, string? Serial, string? Product, OwnerView? Owner, ClaimView Claim, SiteView? Site,
        IReadOnlyList<LinkView> Links, DateTimeOffset? FirstCommunicatedAt, DateTimeOffset? LastCommunicatedAt,
        IReadOnlyList<AlertView> Alerts, IReadOnlyList<DeadLetterEntry> DeadLetters, IReadOnlyList<HistoryView> History);

    public static IEndpointRouteBuilder MapOperatorGateways(this IEndpointRouteBuilder app)
    {
        var operators = app.MapGroup("/api/operator").RequireSession(AccountRole.Admin);
        operators.MapPost("/gateway-inventory", async Task<IResult> (HttpContext context, GatewayInventory inventory, ILogger<GatewayManagement> logger, CancellationToken cancellationToken) =>
            {
                if (await ReadCsvAsync(context, cancellationToken) is not { } csv)
                {
                    return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.InventoryEncodingInvalid);
                }

                var result = await inventory.ImportAsync(csv.Rows, cancellationToken);
                var errors = WithConflicts(csv.Errors, result.Conflicting);
                logger.InventoryImported(context.RequireCurrentUser().UserId, result.Imported, result.AlreadyPresent, errors.Count);
                return TypedResults.Ok(new ImportResult(result.Imported, result.AlreadyPresent, errors.Count, LineProblems(context, errors)));
            })
            .Accepts<string>(InventoryCsv.ContentType).WithName("OperatorImportGatewayInventory").Produces<ImportResult>().ProducesProblem(StatusCodes.Status400BadRequest);
        operators.MapPost("/gateway-inventory/dry-run", async Task<IResult> (HttpContext context, GatewayInventory inventory, ILogger<GatewayManagement> logger, CancellationToken cancellationToken) =>
            {
                if (await ReadCsvAsync(context, cancellationToken) is not { } csv)
                {
                    return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.InventoryEncodingInvalid);
                }

                var check = await inventory.CheckAsync(csv.Rows, cancellationToken);
                var (present, errors) = (check.Present.Count, WithConflicts(csv.Errors, check.Conflicting));
                var added = csv.Rows.Count - present - check.Conflicting.Count;
                logger.InventoryChecked(context.RequireCurrentUser().UserId, added, present, errors.Count);
                return TypedResults.Ok(new DryRunResult(csv.Rows.Count + csv.Errors.Count, added, present, errors.Count, LineProblems(context, errors)));
            })
            .Accepts<string>(InventoryCsv.ContentType).WithName("OperatorCheckGatewayInventory").Produces<DryRunResult>().ProducesProblem(StatusCodes.Status400BadRequest);
        operators.MapGet("/gateway-search", async Task<IResult> (
                HttpContext context, string? q, GatewayInventory inventory, GatewayClaims claims, AccountStore accounts, AccountPhoneIndex phones,
                CustomerSites sites, CancellationToken cancellationToken) =>
            {
                var query = JsonForm.Normalize(q ?? "");
                var found = await FindAsync(query, inventory, accounts, phones, sites, cancellationToken);
                if (found is null)
                {
                    return new ValidationErrors().Add("q", MessageKey.OperatorSearchInvalid).ToProblem(context);
                }

                var matches = new List<GatewayMatch>();
                foreach (var (gatewayId, matchedBy) in found.DistinctBy(f => f.GatewayId).Take(MaxMatches))
                {
                    var gateway = await inventory.FindAsync(gatewayId, cancellationToken);
                    var claim = await claims.FindAsync(gatewayId, cancellationToken);
                    if (gateway is not null || claim is not null)
                    {
                        matches.Add(new GatewayMatch(gatewayId, gateway?.Model, gateway?.Serial, ProductLines.Name(gateway?.Product), ClaimStatusOf(claim), matchedBy));
                    }
                }

                return TypedResults.Ok(matches);
            })
            .WithName("OperatorSearchGateways")
            .WithQueryRules("q", new FieldRules { Description = "What the customer told (required): a gateway ID, a serial number, an e-mail address or a phone number." }).Produces<List<GatewayMatch>>().ProducesValidationProblem();
        operators.MapGet("/gateways/{id}", async Task<IResult> (
                HttpContext context, string id, GatewayInventory inventory, GatewayClaims claims, AccountStore accounts, CustomerSites sites,
                MaintenanceLinks links, DealerDirectory dealers, GatewayHistory history, GatewayStatusStore statuses, AlertStore alerts,
                TelemetryDeadLetters deadLetters, AuditLog audit, TimeProvider time, ILogger<GatewayManagement> logger, CancellationToken cancellationToken) =>
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
                var english = Messages.PrefersEnglish(context);
                var status = await statuses.GetAsync(gatewayId, cancellationToken);
                var view = new OperatorGatewayView(
                    gatewayId, gateway?.Model, gateway?.Serial, ProductLines.Name(gateway?.Product),
                    claim is null ? null : new OwnerView(
                        claim.OwnerUserId, claim.OwnerEmail, owner is null ? null : RegistrationMailer.DisplayName(owner), owner?.Phone ?? "",
                        owner?.Status.ToString().ToLowerInvariant(), owner?.LockedAt is not null),
                    new ClaimView(ClaimStatusOf(claim), claim?.ClaimedAt, claim?.ExpiresAt),
                    site is null ? null : SiteView.Of(site),
                    await LinksAsync(await links.ListAsync(gatewayId, cancellationToken), dealers, cancellationToken),
                    status?.FirstCommunicatedAt, status?.Ts,
                    (await alerts.HistoryAsync(gatewayId, MaxAlerts, cancellationToken)).Select(a => AlertView.Of(a, english)).ToList(),
                    await deadLetters.RecentOfAsync(gatewayId, DeadLetterDays, MaxDeadLetters, cancellationToken),
                    (await history.ListAsync(gatewayId, cancellationToken))
                        .Select(e => new HistoryView(e.Kind.ToString(), e.At, e.ActorUserId, e.OtherGatewayId, e.DealerId)).ToList());

                if (claim is not null)
                {
                    // Like a dealer's view: recorded before the data is answered, so a view that could not be recorded is not shown.
                    string[] fields = site is null ? OwnerFields : [.. DealersApi.SiteFields, .. OwnerFields];
                    var user = context.RequireCurrentUser();
                    await audit.RecordAsync(new AuditEntry(time.GetUtcNow(), claim.OwnerUserId, user.UserId, null, gatewayId, fields), cancellationToken);
                    logger.OperatorViewedCustomerData(user.UserId, string.Join(',', fields), claim.OwnerUserId, gatewayId);
                }

                return TypedResults.Ok(view);
            })
            .WithName("OperatorGateway").Produces<OperatorGatewayView>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>free (nobody claimed it), provisional, active or retired.</summary>
    public static string ClaimStatusOf(GatewayClaim? claim) => claim is null ? "free" : claim.Status.ToString().ToLowerInvariant();

    /// <summary>The uploaded file's rows and refused lines; null when its bytes are neither UTF-8 nor Shift_JIS.</summary>
    private static async Task<(IReadOnlyList<InventoryRow> Rows, IReadOnlyList<InventoryCsvError> Errors)?> ReadCsvAsync(HttpContext context, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, cancellationToken);
        return InventoryCsv.Decode(body.ToArray(), context.Request.ContentType) is { } text ? InventoryCsv.Parse(new StringReader(text)) : null;
    }

    /// <summary>The file's refused lines and those refused for a gateway ID present with other data, in line order.</summary>
    private static List<InventoryCsvError> WithConflicts(IReadOnlyList<InventoryCsvError> errors, IReadOnlyList<InventoryRow> conflicting) =>
        errors.Concat(conflicting.Select(row => new InventoryCsvError(row.Line, "id", MessageKey.InventoryConflictsWithPresent)))
            .OrderBy(error => error.Line).ToList();

    private static List<LineProblem> LineProblems(HttpContext context, IReadOnlyList<InventoryCsvError> errors)
    {
        var english = Messages.PrefersEnglish(context);
        return errors.Select(e => new LineProblem(e.Line, e.Column, e.Message(english))).ToList();
    }

    /// <summary>
    /// The gateways a search names, with what matched: an e-mail address or a phone number finds its customer's gateways, 12
    /// letters and digits a gateway ID (or a serial number), anything else that could be a serial number the serial index.
    /// Null when the text can be none of them.
    /// </summary>
    private static async Task<List<(string GatewayId, string MatchedBy)>?> FindAsync(
        string query, GatewayInventory inventory, AccountStore accounts, AccountPhoneIndex phones, CustomerSites sites, CancellationToken cancellationToken)
    {
        if (query.Contains('@'))
        {
            if (!CustomerFields.IsPlausibleEmail(query))
            {
                return null;
            }

            var account = await accounts.FindByEmailAsync(query, cancellationToken);
            return account is null ? [] : (await sites.GatewayIdsOfAsync(account.UserId, cancellationToken)).Select(id => (id, "email")).ToList();
        }

        var digits = CustomerFields.PhoneDigits(query);
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
        {
            if (!CustomerFields.IsPhoneDigits(digits))
            {
                return InventoryCsv.IsSerial(query) ? await BySerialAsync(query, inventory, cancellationToken) : null;
            }

            var found = new List<(string, string)>();
            foreach (var entry in await phones.FindAsync(digits, cancellationToken))
            {
                // The index may be stale: the account itself must still have this number.
                if ((await accounts.FindByUserIdAsync(entry.UserId, cancellationToken))?.Phone == digits)
                {
                    found.AddRange((await sites.GatewayIdsOfAsync(entry.UserId, cancellationToken)).Select(id => (id, "phone")));
                }
            }

            return found;
        }

        var gatewayId = GatewayId.Normalize(query);
        var matches = new List<(string, string)>();
        if (GatewayId.IsValid(gatewayId))
        {
            matches.Add((gatewayId, "id"));
        }

        if (InventoryCsv.IsSerial(query))
        {
            matches.AddRange(await BySerialAsync(query, inventory, cancellationToken));
        }

        return matches.Count == 0 && !InventoryCsv.IsSerial(query) && !GatewayId.IsValid(gatewayId) ? null : matches;
    }

    private static async Task<List<(string, string)>> BySerialAsync(string serial, GatewayInventory inventory, CancellationToken cancellationToken) =>
        (await inventory.IdsWithSerialAsync(serial, cancellationToken)).Select(id => (id, "serial")).ToList();

    private static async Task<List<LinkView>> LinksAsync(IReadOnlyList<MaintenanceLink> links, DealerDirectory dealers, CancellationToken cancellationToken)
    {
        var views = new List<LinkView>();
        foreach (var link in links)
        {
            var dealer = await dealers.FindAsync(link.DealerId, cancellationToken);
            views.Add(new LinkView(link.DealerId, dealer?.Name, dealer?.Phone, link.LinkedAt));
        }

        return views;
    }
}
