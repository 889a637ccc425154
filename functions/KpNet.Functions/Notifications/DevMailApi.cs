namespace KpNet.Notifications;

/// <summary>GET /api/dev/mail: the local mailbox, so a new user can click the links in their mails. Never mapped in Azure.</summary>
public static class DevMailApi
{
    public static IEndpointRouteBuilder MapDevMail(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dev/mail", async (DevMailbox mailbox, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mailbox.ListAsync(cancellationToken))).WithName("DevMail");
        return app;
    }
}
