using KpNet.Configuration;

namespace KpNet.Tests.Infrastructure;

/// <summary>
/// The settings a deployment has (the Bicep sets them) beyond storage and the trigger connections: under the Functions
/// host the app refuses to start without them, so every test that starts it that way gives them.
/// </summary>
public static class DeployedSettings
{
    public static IReadOnlyDictionary<AppSetting, string> Values { get; } = new Dictionary<AppSetting, string>
    {
        [AppSettings.PortalBaseUrl] = "https://portal.kpnet.example.jp/",
        [AppSettings.SupportName] = "KP-NET サポートセンター",
        [AppSettings.SupportPhone] = "0120-000-000",
        [AppSettings.SupportHours] = "平日 9:00〜17:00",
        [AppSettings.EmailSenderAddress] = "no-reply@kpnet.example.jp",
        [AppSettings.EmailEndpoint] = "https://kpnet.communication.azure.com/",
        [AppSettings.TelemetryGatewaySend] = TestApp.TelemetryConnection(new Uri("http://127.0.0.1/")),
        [AppSettings.TelemetryEventHubNamespace] = "kpnet.servicebus.windows.net",
    };

    /// <summary>Sets them as a process's environment, as app settings reach the handler.</summary>
    public static void SetIn(IDictionary<string, string?> environment, AppSetting? without = null)
    {
        foreach (var (setting, value) in Values)
        {
            environment[setting.Name] = value;
        }

        if (without is not null)
        {
            environment.Remove(without.Name);
        }
    }
}
