namespace KpNet.Notifications;

/// <summary>
/// GET /api/dev/mail: the local mailbox, so a new user can click the links in their mails. Never mapped in Azure, and
/// locally answered only to a request naming the loopback host, so a page under another name that resolves to 127.0.0.1
/// (DNS rebinding) cannot read the mails.
/// </summary>
public static class DevMailApi
{
    // The app listens on 127.0.0.1 only (run.sh, tests), so no IPv6 name is needed.
    public static readonly string[] LoopbackHosts = ["127.0.0.1", "localhost"];

    public static IEndpointRouteBuilder MapDevMail(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dev/mail", async (DevMailbox mailbox, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mailbox.ListAsync(cancellationToken))).WithName("DevMail").RequireHost(LoopbackHosts)
            .ExcludeFromDescription();
        return app;
    }
}
