using Azure.Core;

namespace KpNet.Azure.Storage.Queues;

/// <summary>Retries, logging and diagnostics come from <see cref="ClientOptions"/> (Azure.Core).</summary>
public sealed class QueueClientOptions(QueueClientOptions.ServiceVersion version = QueueClientOptions.LatestVersion) : ClientOptions
{
    internal const ServiceVersion LatestVersion = ServiceVersion.V2021_12_02;

    public enum ServiceVersion
    {
        V2021_12_02 = 1,
    }

    public ServiceVersion Version { get; } = version;

    internal string VersionString => Version switch
    {
        ServiceVersion.V2021_12_02 => "2021-12-02",
        _ => throw new ArgumentOutOfRangeException(nameof(Version), Version, "Unknown Queue service version."),
    };
}
