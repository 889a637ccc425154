using Microsoft.AspNetCore.Http.Timeouts;
using KpNet.Http;

namespace KpNet.Hosting.Invocation;

/// <summary>POST /{FunctionName}: where the Functions host delivers queue, Event Hubs and timer invocations.</summary>
public static class InvocationEndpoint
{
    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder app)
    {
        app.MapPost("/{functionName}", InvokeAsync).ExcludeFromDescription().DisableRequestTimeout();
        return app;
    }

    private static async Task<IResult> InvokeAsync(string functionName, HttpContext context, InvocationDispatcher dispatcher)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var invocationId = context.Request.Headers["X-Azure-Functions-InvocationId"].FirstOrDefault() ?? Guid.NewGuid().ToString();
        var result = await dispatcher.DispatchAsync(functionName, body.GetBuffer().AsMemory(0, (int)body.Length), invocationId, context.RequestAborted);
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
