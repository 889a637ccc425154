using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using KpNet.Accounts;
using KpNet.Accounts.Registration;
using KpNet.Accounts.Sessions;
using KpNet.Dealers;
using KpNet.Hosting;
using KpNet.Http;

namespace KpNet.Audit;

/// <summary>Who saw a customer's personal data or acted for them: the customer's own log, and the operator's search and CSV export of anyone's.</summary>
public static class AuditApi
{
    public const string CsvContentType = "text/csv; charset=utf-8";


    public sealed record AuditEntryView(
        DateTimeOffset At, int? DealerId, string? DealerName, string GatewayId, IReadOnlyList<string> Fields,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ViewerUserId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Action,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CustomerUserId);

    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        services.AddSingleton(new StorageTable(AuditLog.TableName));
        services.AddSingleton(new StorageTable(AuditLog.ViewerIndexTableName));
        return services;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me/audit-log", async (HttpContext context, AuditLog log, DealerDirectory dealers, CancellationToken cancellationToken) =>
                TypedResults.Ok(await ViewsAsync(await log.ListAsync(context.RequireCurrentUser().UserId, cancellationToken), dealers, forOperator: false, cancellationToken)))
            .WithName("MyAuditLog").RequireSession(AccountRole.Customer, AccountRole.Admin).Produces<List<AuditEntryView>>();
        app.MapGet("/api/operator/audit-log", async Task<IResult> (
                HttpContext context, string? userId, string? customer, string? dealerId, string? @operator, string? from, string? to,
                AuditLog log, AccountStore accounts, DealerDirectory dealers, CancellationToken cancellationToken) =>
            {
                var (entries, refusal) = await SearchAsync(context, new AuditQuery(userId, customer, dealerId, @operator, from, to), log, accounts, dealers, cancellationToken);
                return entries is null ? refusal! : TypedResults.Ok(await ViewsAsync(entries, dealers, forOperator: true, cancellationToken));
            })
            .WithName("OperatorAuditLog").RequireSession(AccountRole.Admin).WithAuditQueryRules().Produces<List<AuditEntryView>>().ProducesValidationProblem();
        app.MapGet("/api/operator/audit-log/export", async Task<IResult> (
                HttpContext context, string? userId, string? customer, string? dealerId, string? @operator, string? from, string? to,
                AuditLog log, AccountStore accounts, DealerDirectory dealers, CancellationToken cancellationToken) =>
            {
                var (entries, refusal) = await SearchAsync(context, new AuditQuery(userId, customer, dealerId, @operator, from, to), log, accounts, dealers, cancellationToken);
                if (entries is null)
                {
                    return refusal!;
                }

                context.Response.Headers.ContentDisposition = "attachment; filename=\"audit-log.csv\"";
                return TypedResults.Text(Csv(await ViewsAsync(entries, dealers, forOperator: true, cancellationToken)), CsvContentType, Encoding.UTF8);
            })
            .WithName("OperatorAuditLogExport").RequireSession(AccountRole.Admin).WithAuditQueryRules().Produces<string>(contentType: "text/csv").ProducesValidationProblem();
        return app;
    }

    /// <summary>The search's query parameters (<see cref="AuditQuery"/>) as the contract describes them, for the log and its export alike.</summary>
    private static RouteHandlerBuilder WithAuditQueryRules(this RouteHandlerBuilder builder) => builder
        .WithQueryRules("customer", new FieldRules { Description = "Whose log: a customer by e-mail address or user ID. Exactly one of customer (or userId), dealerId and operator is given." })
        .WithQueryRules("userId", new FieldRules { Description = "The same as customer." })
        .WithQueryRules("dealerId", new FieldRules { Pattern = "^[0-9]+$", Description = "Whose log: a dealer's, by dealer ID." })
        .WithQueryRules("operator", new FieldRules { Format = "email", Description = "Whose log: what an operator did, by e-mail address." })
        .WithQueryRules("from", new FieldRules { Pattern = CustomerFields.DatePattern, Description = "The first day (Japan time, yyyy-MM-dd, 2000 to 2099), included." })
        .WithQueryRules("to", new FieldRules { Pattern = CustomerFields.DatePattern, Description = "The last day (Japan time, yyyy-MM-dd, 2000 to 2099), included; not before from." });

    /// <summary>
    /// The operator's search: whose log (exactly one of customer, by e-mail or user ID, <c>userId</c> being the same;
    /// dealer ID; operator, by e-mail) and optionally which Japan-time days (from, to: YYYY-MM-DD, both included).
    /// </summary>
    public sealed record AuditQuery(string? UserId, string? Customer, string? DealerId, string? Operator, string? From, string? To);

    private static async Task<(IReadOnlyList<AuditEntry>? Entries, IResult? Refusal)> SearchAsync(
        HttpContext context, AuditQuery query, AuditLog log, AccountStore accounts, DealerDirectory dealers, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var customer = Clean(query.Customer) ?? Clean(query.UserId);
        var dealerText = Clean(query.DealerId);
        var operatorEmail = Clean(query.Operator);
        var subjects = new[] { customer, dealerText, operatorEmail }.Count(s => s is not null);
        if (subjects != 1)
        {
            errors.Add("customer", MessageKey.AuditUserIdRequired);
        }

        int dealerId = 0;
        if (dealerText is not null && !int.TryParse(dealerText, NumberStyles.None, CultureInfo.InvariantCulture, out dealerId))
        {
            errors.Add("dealerId", MessageKey.DealerIdInvalid);
        }

        if (operatorEmail is not null && !CustomerFields.IsPlausibleEmail(operatorEmail))
        {
            errors.Add("operator", MessageKey.RegistrationEmailInvalid);
        }

        if (customer is not null && customer.Contains('@') && !CustomerFields.IsPlausibleEmail(customer))
        {
            errors.Add("customer", MessageKey.RegistrationEmailInvalid);
        }

        var from = Day(query.From, "from", errors);
        var to = Day(query.To, "to", errors);
        if (from is not null && to is not null && to < from)
        {
            errors.Add("to", MessageKey.AuditRangeInvalid);
        }

        if (errors.Any)
        {
            return (null, errors.ToProblem(context));
        }

        var period = new AuditPeriod(
            from is { } f ? JapanTime.StartOf(f) : null,
            to is { } t ? JapanTime.StartOf(t.AddDays(1)).AddTicks(-1) : null);
        if (customer is not null)
        {
            var userId = customer.Contains('@') ? (await accounts.FindByEmailAsync(customer, cancellationToken))?.UserId : customer;
            return (userId is null ? [] : await log.ListAsync(userId, period, cancellationToken), null);
        }

        var viewer = dealerText is not null
            ? (await dealers.FindAsync(dealerId, cancellationToken))?.UserId
            : (await accounts.FindByEmailAsync(operatorEmail!, cancellationToken)) is { Role: AccountRole.Admin } account ? account.UserId : null;
        return (viewer is null ? [] : await log.ListByViewerAsync(viewer, period, cancellationToken), null);
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : JsonForm.Normalize(value);

    private static DateOnly? Day(string? value, string path, ValidationErrors errors)
    {
        if (Clean(value) is not { } text)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Replace('/', '-'), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day.Year is >= 2000 and <= 2099)
        {
            return day;
        }

        errors.Add(path, MessageKey.RegistrationDateInvalid);
        return null;
    }

    private static async Task<List<AuditEntryView>> ViewsAsync(IReadOnlyList<AuditEntry> entries, DealerDirectory dealers, bool forOperator, CancellationToken cancellationToken)
    {
        var names = new Dictionary<int, string?>();
        foreach (var dealerId in entries.Select(e => e.DealerId).OfType<int>().Distinct())
        {
            names[dealerId] = (await dealers.FindAsync(dealerId, cancellationToken))?.Name;
        }

        return entries.Select(e => new AuditEntryView(e.At, e.DealerId, e.DealerId is { } id ? names[id] : null, e.GatewayId, e.Fields,
            forOperator ? e.ViewerUserId : null, e.Action, forOperator ? e.Reason : null, forOperator ? e.CustomerUserId : null)).ToList();
    }

    /// <summary>
    /// UTF-8 with a byte order mark, which Excel needs to read it as UTF-8; times in Japan time. A value a spreadsheet would
    /// run as a formula (=, +, -, @ first) is prefixed with an apostrophe.
    /// </summary>
    private static string Csv(IReadOnlyList<AuditEntryView> entries)
    {
        var csv = new StringBuilder("\uFEFFat,customerUserId,viewerUserId,dealerId,dealerName,gatewayId,fields,action,reason\r\n");
        foreach (var e in entries)
        {
            string?[] cells =
            [
                JapanTime.Of(e.At).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), e.CustomerUserId, e.ViewerUserId,
                e.DealerId?.ToString(CultureInfo.InvariantCulture), e.DealerName, e.GatewayId, string.Join(' ', e.Fields), e.Action, e.Reason,
            ];
            csv.AppendJoin(',', cells.Select(Cell)).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Cell(string? value)
    {
        var text = value ?? "";
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@')
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
