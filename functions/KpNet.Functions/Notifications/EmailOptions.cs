using KpNet.Configuration;

namespace KpNet.Notifications;

/// <summary>
/// Azure Communication Services Email, used under the Functions host (locally mail goes to the dev mailbox): the sender
/// address, and the resource's endpoint (reached with the managed identity) or its connection string.
/// </summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    public string? SenderAddress { get; set; }

    public Uri? Endpoint { get; set; }

    public string? ConnectionString { get; set; }

    public static void AddTo(IServiceCollection services) => services.AddSettings<EmailOptions>(Section, Problems);

    private static IEnumerable<string> Problems(EmailOptions options, HostingMode mode)
    {
        if (!mode.UnderFunctionsHost)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(options.SenderAddress))
        {
            yield return Settings.Missing(AppSettings.EmailSenderAddress);
        }

        if (options.Endpoint is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            yield return $"Set {AppSettings.EmailEndpoint.Name} or {AppSettings.EmailConnectionString.Name} to send mail.";
        }
        else if (options.Endpoint is { IsAbsoluteUri: false })
        {
            yield return $"Setting {AppSettings.EmailEndpoint.Name} must be an absolute URL, not \"{options.Endpoint}\".";
        }
    }
}
