using System.Diagnostics;
using KpNet.Hosting.Functions;

namespace KpNet.Hosting.Invocation;

public enum InvocationOutcome
{
    Succeeded,
    Failed,
    UnknownFunction,
    MalformedPayload,
}

public sealed record InvocationResult(InvocationOutcome Outcome, IReadOnlyList<string> Logs, string? Error = null);

/// <summary>
/// The single path from an invocation payload to a handler, used by the host's POST /{FunctionName}
/// and by every local trigger, so both see the same parsing, scoping and logging.
/// </summary>
public sealed partial class InvocationDispatcher(TriggerFunctions functions, IServiceScopeFactory scopes, ILogger<InvocationDispatcher> logger)
{
    /// <param name="parent">The span the invocation continues (the host's, from its traceparent); default: the current one, if any.</param>
    public async Task<InvocationResult> DispatchAsync(
        string functionName, ReadOnlyMemory<byte> payload, string invocationId, CancellationToken cancellationToken, ActivityContext parent = default)
    {
        var function = functions.Find(functionName);
        if (function is null)
        {
            LogUnknownFunction(functionName, invocationId);
            return new InvocationResult(InvocationOutcome.UnknownFunction, [], $"No function named '{functionName}'.");
        }

        object input;
        try
        {
            input = InvocationPayload.ReadTriggerInput(function, payload, invocationId);
        }
        catch (MalformedInvocationException e)
        {
            LogMalformed(function.Name, invocationId, e.Message);
            return new InvocationResult(InvocationOutcome.MalformedPayload, [e.Message], e.Message);
        }

        using var activity = InvocationTracing.Start(function, invocationId, parent);
        await using var scope = scopes.CreateAsyncScope();
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            // Built inside the try: a handler whose dependencies cannot be built (a missing setting) fails the invocation with its reason.
            var handler = scope.ServiceProvider.GetRequiredService(function.HandlerType);
            await (input switch
            {
                QueueTriggerInput message => ((IQueueFunction)handler).RunAsync(message, cancellationToken),
                EventBatch batch => ((IEventHubFunction)handler).RunAsync(batch, cancellationToken),
                TimerInput timer => ((ITimerFunction)handler).RunAsync(timer, cancellationToken),
                _ => throw new InvalidOperationException($"No handler shape for {input.GetType().Name}."),
            });
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            InvocationTracing.Failed(activity, e);
            LogFailed(e, function.Name, invocationId, e.GetType().FullName, e.Message);
            return new InvocationResult(InvocationOutcome.Failed, [$"{function.Name} failed: {e.GetType().Name}: {e.Message}"], e.Message);
        }

        var elapsed = TimeProvider.System.GetElapsedTime(started);
        LogSucceeded(function.Name, invocationId, elapsed.TotalMilliseconds);
        return new InvocationResult(InvocationOutcome.Succeeded, []);
    }

    [LoggerMessage(EventId = 1000, EventName = "InvocationSucceeded", Level = LogLevel.Information, Message = "Function {FunctionName} invocation {InvocationId} succeeded in {ElapsedMs:F1} ms")]
    private partial void LogSucceeded(string functionName, string invocationId, double elapsedMs);

    // The host drops a failed invocation's Logs, so this event (a JSON line on stdout under the host) is where its log
    // learns why: the exception's type and message are fields of their own, not only inside the stack trace.
    [LoggerMessage(EventId = 1001, EventName = "InvocationFailed", Level = LogLevel.Error, Message = "Function {FunctionName} invocation {InvocationId} failed: {ExceptionType}: {Reason}")]
    private partial void LogFailed(Exception exception, string functionName, string invocationId, string? exceptionType, string reason);

    [LoggerMessage(EventId = 1002, EventName = "InvocationMalformed", Level = LogLevel.Warning, Message = "Function {FunctionName} invocation {InvocationId} has a malformed payload: {Reason}")]
    private partial void LogMalformed(string functionName, string invocationId, string reason);

    [LoggerMessage(EventId = 1003, EventName = "InvocationUnknownFunction", Level = LogLevel.Warning, Message = "Invocation {InvocationId} names unknown function {FunctionName}")]
    private partial void LogUnknownFunction(string functionName, string invocationId);
}
