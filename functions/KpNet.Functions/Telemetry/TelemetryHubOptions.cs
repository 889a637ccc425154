using KpNet.Azure.EventHubs;
using KpNet.Configuration;

namespace KpNet.Telemetry;

/// <summary>
/// The telemetry hub as the app itself uses it, beside the trigger's own connection (which the host checks): the
/// gateway-send policy that signs each gateway's publisher token, and under the host the namespace in which replaced
/// gateways' publishers are revoked.
/// </summary>
public sealed class TelemetryHubOptions
{
    public string? GatewaySend { get; set; }

    public string? FullyQualifiedNamespace { get; set; }

    public static void AddTo(IServiceCollection services) =>
        services.AddSettings<TelemetryHubOptions>(section: null, Problems).Configure<IConfiguration>((options, configuration) =>
        {
            options.GatewaySend = configuration[AppSettings.TelemetryGatewaySend.Key];
            options.FullyQualifiedNamespace = configuration[AppSettings.TelemetryEventHubNamespace.Key];
        });

    private static IEnumerable<string> Problems(TelemetryHubOptions options, HostingMode mode)
    {
        if (string.IsNullOrWhiteSpace(options.GatewaySend))
        {
            yield return Settings.Missing(AppSettings.TelemetryGatewaySend);
        }
        else if (!IsConnectionString(options.GatewaySend))
        {
            yield return $"Setting {AppSettings.TelemetryGatewaySend.Name} is not an Event Hubs connection string with a key and EntityPath.";
        }

        if (mode.UnderFunctionsHost && string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace))
        {
            yield return Settings.Missing(AppSettings.TelemetryEventHubNamespace);
        }
    }

    private static bool IsConnectionString(string value)
    {
        try
        {
            EventHubsConnectionString.Parse(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
