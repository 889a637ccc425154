using KpNet.Accounts;
using KpNet.Accounts.Sessions;
using KpNet.Http;
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
        operators.MapGet("/queues/{queue}/messages", async Task<IResult> (HttpContext context, string queue, PoisonQueues poison, CancellationToken cancellationToken) =>
                await poison.PeekAsync(queue, cancellationToken) is { } messages ? TypedResults.Ok(messages) : NotFound(context))
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
            .WithName("OperatorRequeuePoisonMessage").Produces(StatusCodes.Status204NoContent)
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
            .WithName("OperatorPoisonMessageHandled").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        operators.MapGet("/dead-letters", async Task<IResult> (HttpContext context, string? reason, TelemetryDeadLetters deadLetters, CancellationToken cancellationToken) =>
            {
                if (!Enum.TryParse<TelemetryRejectionReason>(reason, ignoreCase: false, out var known) || !Enum.IsDefined(known) || reason != known.ToString())
                {
                    return new ValidationErrors().Add("reason", MessageKey.DeadLetterReasonInvalid).ToProblem(context);
                }

                return TypedResults.Ok(await deadLetters.OfReasonAsync(reason, DeadLetterDays, MaxDeadLetters, MaxBodyChars, cancellationToken));
            })
            .WithName("OperatorDeadLetters").Produces<List<DeadLetterDetail>>().ProducesValidationProblem();
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
            .WithName("OperatorDeadLetterHandled").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static IResult NotFound(HttpContext context) => Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.NotFound);

    [LoggerMessage(EventId = 8210, EventName = "PoisonMessageResolved", Level = LogLevel.Information, Message = "Operator {UserId}: message {MessageId} of {Queue} {Outcome}")]
    private static partial void LogPoisonResolved(ILogger logger, string userId, string queue, string messageId, string outcome);

    [LoggerMessage(EventId = 8211, EventName = "DeadLetterHandled", Level = LogLevel.Information, Message = "Operator {UserId}: dead letter {Day}/{Id} marked handled")]
    private static partial void LogDeadLetterHandled(ILogger logger, string userId, string day, string id);
}
