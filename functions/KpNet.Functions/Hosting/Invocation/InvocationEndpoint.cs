using System.Diagnostics;
using KpNet.Http;
using Microsoft.AspNetCore.Http.Timeouts;

namespace KpNet.Hosting.Invocation;

/// <summary>POST /{FunctionName}: where the Functions host delivers queue, Event Hubs and timer invocations.</summary>
public static class InvocationEndpoint
{
    /// <summary>The host names each invocation in this header (and sends its W3C traceparent beside it).</summary>
    public const string InvocationIdHeader = "X-Azure-Functions-InvocationId";

    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder app)
    {
        app.MapPost("/{functionName}", InvokeAsync).ExcludeFromDescription().DisableRequestTimeout();
        return app;
    }

    /// <summary>Whether a request is one of the host's invocations (every HTTP function is under /api).</summary>
    public static bool IsInvocation(HttpRequest request) => HttpMethods.IsPost(request.Method) && !request.Path.StartsWithSegments("/api");

    private static async Task<IResult> InvokeAsync(string functionName, HttpContext context, InvocationDispatcher dispatcher)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var invocationId = context.Request.Headers[InvocationIdHeader].FirstOrDefault() ?? Guid.NewGuid().ToString();
        var parent = InvocationTracing.HostParent(context.Request);

        // This request's own span is not recorded (see IsInvocation): the invocation's span takes its place under the host's.
        Activity.Current = null;
        var result = await dispatcher.DispatchAsync(functionName, body.GetBuffer().AsMemory(0, (int)body.Length), invocationId, context.RequestAborted, parent);
        return result.Outcome switch
        {
            InvocationOutcome.UnknownFunction => Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.UnknownFunction, functionName),
            InvocationOutcome.MalformedPayload => Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.MalformedInvocation, result.Error ?? ""),
            // A non-2xx answer is how the host learns the invocation failed (so it retries or poisons).
            InvocationOutcome.Failed => new InvocationResponse(InvocationPayload.WriteResult(result.Logs), StatusCodes.Status500InternalServerError),
            _ => new InvocationResponse(InvocationPayload.WriteResult(result.Logs), StatusCodes.Status200OK),
        };
    }
}

internal sealed class InvocationResponse(byte[] body, int statusCode) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "application/json";
        await httpContext.Response.Body.WriteAsync(body);
    }
}
