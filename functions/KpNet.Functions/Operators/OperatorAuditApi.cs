using System.Globalization;
using System.Text;
using KpNet.Accounts;
using KpNet.Accounts.Dealers;
using KpNet.Accounts.Sessions;
using KpNet.Audit;
using KpNet.Http;
using KpNet.Http.Forms;

namespace KpNet.Operators;

/// <summary>The operator's search of the 閲覧履歴 (who saw a customer's personal data or acted for them), and its CSV export.</summary>
public static class OperatorAuditApi
{
    public static IEndpointRouteBuilder MapOperatorAuditLog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/operator/audit-log", async Task<IResult> (
                HttpContext context, string? userId, string? customer, string? dealerId, string? @operator, string? from, string? to,
                AuditLog log, AccountStore accounts, DealerDirectory dealers, CancellationToken cancellationToken) =>
            {
                var (entries, refusal) = await SearchAsync(context, new AuditQuery(userId, customer, dealerId, @operator, from, to), log, accounts, dealers, cancellationToken);
                return entries is null ? refusal! : TypedResults.Ok(await AuditViews.ViewsAsync(entries, dealers, forOperator: true, cancellationToken));
            })
            .WithName("OperatorAuditLog").RequireSession(AccountRole.Admin).WithAuditQueryRules().Produces<List<AuditViews.AuditEntryView>>().ProducesValidationProblem();
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
                return TypedResults.Text(AuditViews.Csv(await AuditViews.ViewsAsync(entries, dealers, forOperator: true, cancellationToken)), AuditViews.CsvContentType, Encoding.UTF8);
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
}
