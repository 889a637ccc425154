using System.Diagnostics;
using KpNet.Hosting.Functions;

namespace KpNet.Hosting.Invocation;

/// <summary>
/// One span per function invocation, named after the function, with the host's invocation id: the host's own span is its
/// parent when the host sent a W3C traceparent, else whatever span the local trigger runs in (the local Event Hubs
/// endpoint's request), else none.
/// </summary>
public static class InvocationTracing
{
    public const string SourceName = "KpNet.Invocations";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The parent the host names in its W3C trace context headers, or default when it sent none (or a malformed one).</summary>
    public static ActivityContext HostParent(HttpRequest request) =>
        ActivityContext.TryParse(request.Headers.TraceParent.FirstOrDefault(), request.Headers.TraceState.FirstOrDefault(), isRemote: true, out var parent)
            ? parent
            : default;

    public static Activity? Start(FunctionDefinition function, string invocationId, ActivityContext parent)
    {
        var activity = Source.StartActivity(function.Name, ActivityKind.Server, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("faas.trigger", function.Trigger is TimerTrigger ? "timer" : "pubsub");
            activity.SetTag("faas.invocation_id", invocationId);
        }

        return activity;
    }

    /// <summary>The exception's type only: messages can quote what storage or a sender answered.</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        activity?.SetTag("error.type", exception.GetType().FullName);
    }
}
