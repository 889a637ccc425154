using Azure.Core;

namespace KpNet.Azure.Email;

/// <summary>
/// Options for <see cref="EmailClient"/>. Retries, logging and diagnostics come from
/// <see cref="ClientOptions"/> (Azure.Core); the retry defaults are tuned for ACS throttling (429 + Retry-After).
/// </summary>
public sealed class EmailClientOptions : ClientOptions
{
    internal const ServiceVersion LatestVersion = ServiceVersion.V2025_09_01;

    /// <summary>ACS caps the whole request, attachments included, at 10 MB; 10,000,000 bytes is safe whether that means MB or MiB.</summary>
    public const int DefaultMaxRequestBytes = 10_000_000;

    public EmailClientOptions(ServiceVersion version = LatestVersion)
    {
        Version = version;

        // Azure.Core's RetryPolicy retries 408/429/500/502/503/504 and waits for the longer of its own
        // back-off and the server's retry-after-ms / x-ms-retry-after-ms / Retry-After. Other 4xx are final.
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 5;
        Retry.Delay = TimeSpan.FromSeconds(1);
        Retry.MaxDelay = TimeSpan.FromSeconds(60);

        // Only allow-listed headers are logged; these carry no secrets and make a send traceable.
        foreach (var header in new[] { "Operation-Id", "Operation-Location", "x-ms-error-code", "retry-after", "Retry-After" })
        {
            if (!Diagnostics.LoggedHeaderNames.Contains(header))
            {
                Diagnostics.LoggedHeaderNames.Add(header);
            }
        }
    }

    public enum ServiceVersion
    {
        V2023_03_31 = 1,
        V2025_09_01 = 2,
    }

    public ServiceVersion Version { get; }

    /// <summary>Largest JSON request the client will send; larger messages fail with <see cref="ArgumentException"/> before sending.</summary>
    public int MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    internal string VersionString => Version switch
    {
        ServiceVersion.V2023_03_31 => "2023-03-31",
        ServiceVersion.V2025_09_01 => "2025-09-01",
        _ => throw new ArgumentOutOfRangeException(nameof(Version), Version, "Unknown ACS Email service version."),
    };
}
