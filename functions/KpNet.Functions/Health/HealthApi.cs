namespace KpNet.Health;

public static class HealthApi
{
    public sealed record HealthStatus(string Status);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", () => TypedResults.Ok(new HealthStatus("ok"))).WithName("Health");
        return app;
    }
}
