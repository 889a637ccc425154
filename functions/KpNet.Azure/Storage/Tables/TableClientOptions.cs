using Azure.Core;

namespace KpNet.Azure.Storage.Tables;

/// <summary>Retries, logging and diagnostics come from <see cref="ClientOptions"/> (Azure.Core).</summary>
public sealed class TableClientOptions(TableClientOptions.ServiceVersion version = TableClientOptions.LatestVersion) : ClientOptions
{
    internal const ServiceVersion LatestVersion = ServiceVersion.V2020_12_06;

    public enum ServiceVersion
    {
        V2020_12_06 = 1,
    }

    public ServiceVersion Version { get; } = version;

    internal string VersionString => Version switch
    {
        ServiceVersion.V2020_12_06 => "2020-12-06",
        _ => throw new ArgumentOutOfRangeException(nameof(Version), Version, "Unknown Table service version."),
    };
}
