// The trivial minimal-API app of the coldstart bench: the handler's builder (CreateSlimBuilder), listening where the
// Functions host tells a custom handler to, answering GET /api/health 200 {"status":"ok"} like the handler does.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://127.0.0.1:{builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"]}");
var app = builder.Build();
app.MapGet("/api/health", () => TypedResults.Ok(new HealthStatus("ok")));
await app.RunAsync();

internal sealed record HealthStatus(string Status);
