using System.Text.Json.Serialization;
using KpNet.Accounts;
using KpNet.Accounts.Sessions;
using KpNet.Dealers;
using KpNet.Hosting;
using KpNet.Http;

namespace KpNet.Audit;

/// <summary>Who saw a customer's personal data: the customer's own log and the operator's view of anyone's.</summary>
public static class AuditApi
{
    public sealed record AuditEntryView(
        DateTimeOffset At, int? DealerId, string? DealerName, string GatewayId, IReadOnlyList<string> Fields,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ViewerUserId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Action,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);

    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        services.AddSingleton(new StorageTable(AuditLog.TableName));
        services.AddSingleton(new StorageTable(AuditLog.ViewerIndexTableName));
        return services;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me/audit-log", MyLogAsync).WithName("MyAuditLog").RequireSession(AccountRole.Customer, AccountRole.Admin)
            .Produces<List<AuditEntryView>>();
        app.MapGet("/api/operator/audit-log", CustomerLogAsync).WithName("OperatorAuditLog").RequireSession(AccountRole.Admin)
            .Produces<List<AuditEntryView>>().ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> MyLogAsync(HttpContext context, AuditLog log, DealerDirectory dealers, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ViewsAsync(await log.ListAsync(context.RequireCurrentUser().UserId, cancellationToken), dealers, forOperator: false, cancellationToken));

    private static async Task<IResult> CustomerLogAsync(HttpContext context, string? userId, AuditLog log, DealerDirectory dealers, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(userId))
        {
            return new ValidationErrors().Add("userId", MessageKey.AuditUserIdRequired).ToProblem(context);
        }

        return TypedResults.Ok(await ViewsAsync(await log.ListAsync(userId.Trim(), cancellationToken), dealers, forOperator: true, cancellationToken));
    }

    private static async Task<List<AuditEntryView>> ViewsAsync(IReadOnlyList<AuditEntry> entries, DealerDirectory dealers, bool forOperator, CancellationToken cancellationToken)
    {
        var names = new Dictionary<int, string?>();
        foreach (var dealerId in entries.Select(e => e.DealerId).OfType<int>().Distinct())
        {
            names[dealerId] = (await dealers.FindAsync(dealerId, cancellationToken))?.Name;
        }

        return entries.Select(e => new AuditEntryView(e.At, e.DealerId, e.DealerId is { } id ? names[id] : null, e.GatewayId, e.Fields,
            forOperator ? e.ViewerUserId : null, e.Action, forOperator ? e.Reason : null)).ToList();
    }
}
