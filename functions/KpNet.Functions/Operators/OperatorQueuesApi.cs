using System.Text.Json;
using KpNet.Accounts;
using KpNet.Accounts.Sessions;
using KpNet.Audit;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Telemetry;

namespace KpNet.Operators;

/// <summary>
/// What failed and waits for a person: messages in the "-poison" queues (a mail may be sent again, anything marked
/// handled) and telemetry events set aside in the last days, counted by reason (each may be marked handled).
/// </summary>
public static partial class OperatorQueuesApi
{
    public const int DeadLetterDays = 7;
    public const int MaxDeadLetters = 50;
    public const int MaxBodyChars = 2000;

    /// <summary>What the operator sees of a customer in a poison mail message.</summary>
    public static readonly string[] MailFields = ["email", "mail"];

    public sealed record ReasonCount(string Reason, int Count);

    public sealed record QueuesView(IReadOnlyList<PoisonQueueCount> Poison, IReadOnlyList<ReasonCount> DeadLetters, int DeadLetterDays);

    public static IServiceCollection AddOperatorQueues(this IServiceCollection services) => services.AddSingleton<PoisonQueues>();

    public static IEndpointRouteBuilder MapOperatorQueues(this IEndpointRouteBuilder app)
    {
        var operators = app.MapGroup("/api/operator").RequireSession(AccountRole.Admin);
        operators.MapGet("/queues", async (PoisonQueues poison, TelemetryDeadLetters deadLetters, CancellationToken cancellationToken) =>
                TypedResults.Ok(new QueuesView(
                    await poison.CountsAsync(cancellationToken),
                    (await deadLetters.CountByReasonAsync(DeadLetterDays, cancellationToken)).Select(c => new ReasonCount(c.Key, c.Value)).ToList(),
                    DeadLetterDays)))
            .WithName("OperatorQueues").Produces<QueuesView>();
        operators.MapGet("/queues/{queue}/messages", async Task<IResult> (
                HttpContext context, string queue, PoisonQueues poison, AccountStore accounts, AuditLog audit, TimeProvider time, CancellationToken cancellationToken) =>
            {
                if (await poison.PeekAsync(queue, cancellationToken) is not { } messages)
                {
                    return NotFound(context);
                }

                if (poison.IsRequeueable(queue))
                {
                    await RecordMailViewsAsync(context, messages, accounts, audit, time, cancellationToken);
                }

                return TypedResults.Ok(messages);
            })
            .WithName("OperatorPoisonMessages").Produces<List<PoisonMessage>>().ProducesProblem(StatusCodes.Status404NotFound);
        operators.MapPost("/queues/{queue}/messages/{messageId}/requeue", async Task<IResult> (
                HttpContext context, string queue, string messageId, PoisonQueues poison, ILoggerFactory loggers, CancellationToken cancellationToken) =>
            {
                if (!poison.IsRequeueable(queue))
                {
                    return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.QueueRequeueRefused);
                }

                if (!await poison.ResolveAsync(queue, messageId, requeue: true, cancellationToken))
                {
                    return NotFound(context);
                }

                LogPoisonResolved(loggers.CreateLogger(typeof(OperatorQueuesApi)), context.RequireCurrentUser().UserId, queue, messageId, "requeued");
                return TypedResults.NoContent();
            })
            .WithName("OperatorRequeuePoisonMessage").TakesNoBody().Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        operators.MapPost("/queues/{queue}/messages/{messageId}/handled", async Task<IResult> (
                HttpContext context, string queue, string messageId, PoisonQueues poison, ILoggerFactory loggers, CancellationToken cancellationToken) =>
            {
                if (!await poison.ResolveAsync(queue, messageId, requeue: false, cancellationToken))
                {
                    return NotFound(context);
                }

                LogPoisonResolved(loggers.CreateLogger(typeof(OperatorQueuesApi)), context.RequireCurrentUser().UserId, queue, messageId, "handled");
                return TypedResults.NoContent();
            })
            .WithName("OperatorPoisonMessageHandled").TakesNoBody().Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        operators.MapGet("/dead-letters", async Task<IResult> (HttpContext context, string? reason, TelemetryDeadLetters deadLetters, CancellationToken cancellationToken) =>
            {
                if (!Enum.TryParse<TelemetryRejectionReason>(reason, ignoreCase: false, out var known) || !Enum.IsDefined(known) || reason != known.ToString())
                {
                    return new ValidationErrors().Add("reason", MessageKey.DeadLetterReasonInvalid).ToProblem(context);
                }

                return TypedResults.Ok(await deadLetters.OfReasonAsync(reason, DeadLetterDays, MaxDeadLetters, MaxBodyChars, cancellationToken));
            })
            .WithName("OperatorDeadLetters")
            .WithQueryRules("reason", new FieldRules { Values = Enum.GetNames<TelemetryRejectionReason>(), Description = "Which reason's dead letters (required), spelt as the counts name it." }).Produces<List<DeadLetterDetail>>().ProducesValidationProblem();
        operators.MapPost("/dead-letters/{day}/{id}/handled", async Task<IResult> (
                HttpContext context, string day, string id, TelemetryDeadLetters deadLetters, ILoggerFactory loggers, CancellationToken cancellationToken) =>
            {
                // Both are table keys: a day (yyyyMMdd) and a body hash (64 hex digits); anything else names no row.
                if (day.Length != 8 || !day.All(char.IsAsciiDigit) || id.Length != 64 || !id.All(char.IsAsciiHexDigitLower)
                    || !await deadLetters.MarkHandledAsync(day, id, context.RequireCurrentUser().UserId, cancellationToken))
                {
                    return NotFound(context);
                }

                LogDeadLetterHandled(loggers.CreateLogger(typeof(OperatorQueuesApi)), context.RequireCurrentUser().UserId, day, id);
                return TypedResults.NoContent();
            })
            .WithName("OperatorDeadLetterHandled").TakesNoBody().Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>
    /// A mail message shows its recipient and text: like any operator view of personal data it goes to the recipient's audit
    /// log (when the address is an account's) before it is answered. An outbox message names the address in "to", a mail
    /// request in "details.email".
    /// </summary>
    private static async Task RecordMailViewsAsync(
        HttpContext context, IReadOnlyList<PoisonMessage> messages, AccountStore accounts, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var viewer = context.RequireCurrentUser().UserId;
        foreach (var address in messages.Select(m => RecipientOf(m.Text)).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (CustomerFields.IsPlausibleEmail(address) && await accounts.FindByEmailAsync(address, cancellationToken) is { } account)
            {
                await audit.RecordAsync(new AuditEntry(time.GetUtcNow(), account.UserId, viewer, null, "", MailFields), cancellationToken);
            }
        }
    }

    private static string? RecipientOf(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            return root.ValueKind != JsonValueKind.Object ? null
                : root.TryGetProperty("to", out var to) && to.ValueKind == JsonValueKind.String ? to.GetString()
                : root.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object
                    && details.TryGetProperty("email", out var email) && email.ValueKind == JsonValueKind.String ? email.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult NotFound(HttpContext context) => Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.NotFound);

    [LoggerMessage(EventId = 8210, EventName = "PoisonMessageResolved", Level = LogLevel.Information, Message = "Operator {UserId}: message {MessageId} of {Queue} {Outcome}")]
    private static partial void LogPoisonResolved(ILogger logger, string userId, string queue, string messageId, string outcome);

    [LoggerMessage(EventId = 8211, EventName = "DeadLetterHandled", Level = LogLevel.Information, Message = "Operator {UserId}: dead letter {Day}/{Id} marked handled")]
    private static partial void LogDeadLetterHandled(ILogger logger, string userId, string day, string id);
}
