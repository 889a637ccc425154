namespace KpNet.Configuration;

/// <summary>Where the portal is: its public address (links in mails, the origin allowed to post) and, locally, its files.</summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    /// <summary>Portal__BaseUrl. Locally it defaults to this app's own address, which serves the portal.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Portal__StaticFiles: the built portal served at / locally.</summary>
    public string? StaticFiles { get; set; }

    /// <summary>The base address with a trailing slash, so that relative screen paths resolve below it.</summary>
    public Uri Root => new(BaseUrl!.AbsoluteUri.TrimEnd('/') + "/");

    public static void AddTo(IServiceCollection services) =>
        services.AddSettings<PortalOptions>(Section, Problems)
            .PostConfigure<HostingMode>((options, mode) =>
            {
                if (options.BaseUrl is null && mode.RunsLocalTriggers)
                {
                    options.BaseUrl = new Uri($"http://127.0.0.1:{mode.Port}/");
                }
            });

    private static IEnumerable<string> Problems(PortalOptions options, HostingMode mode)
    {
        if (options.BaseUrl is null)
        {
            yield return Settings.Missing(AppSettings.PortalBaseUrl);
        }
        else if (!options.BaseUrl.IsAbsoluteUri || options.BaseUrl.Scheme is not ("https" or "http"))
        {
            yield return $"Setting {AppSettings.PortalBaseUrl.Name} must be an absolute http(s) URL, not \"{options.BaseUrl}\".";
        }
    }
}
