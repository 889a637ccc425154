namespace KpNet.Configuration;

public enum SettingScope
{
    /// <summary>Read locally and in Azure.</summary>
    Everywhere,

    /// <summary>Only read without the Functions host (local triggers, demo data, dev mailbox).</summary>
    LocalOnly,

    /// <summary>Only read under the Functions host.</summary>
    AzureOnly,
}

/// <summary>One app setting, named as an app setting / environment variable ("__" between sections).</summary>
public sealed record AppSetting(string Name, SettingScope Scope, string Purpose, bool Optional = false)
{
    /// <summary>The configuration key the app reads ("__" becomes ":").</summary>
    public string Key => Name.Replace("__", ":", StringComparison.Ordinal);
}

/// <summary>Every setting the app reads, in one list: local.settings.sample.json and the Bicep are checked against it.</summary>
public static class AppSettings
{
    public static readonly AppSetting Storage = new("AzureWebJobsStorage", SettingScope.LocalOnly, "Storage connection string (Azurite locally)");
    public static readonly AppSetting StorageAccountName = new("AzureWebJobsStorage__accountName", SettingScope.AzureOnly, "Storage account for tables and queues, reached with the managed identity");
    public static readonly AppSetting StorageClientId = new("AzureWebJobsStorage__clientId", SettingScope.AzureOnly, "Client ID of a user-assigned identity; absent = system-assigned", Optional: true);
    public static readonly AppSetting TelemetryShardConnectionString = new("TelemetryStorage__Shards__0__connectionString", SettingScope.LocalOnly, "Connection string of telemetry storage shard 0 (Azurite locally); __1__, __2__… the next shards, numbered without gaps");
    public static readonly AppSetting TelemetryShardAccountName = new("TelemetryStorage__Shards__0__accountName", SettingScope.AzureOnly, "Storage account of telemetry shard 0, reached with the managed identity; __1__, __2__… the next shards, numbered without gaps, only ever appended (README: Cost and scale)");
    public static readonly AppSetting TelemetryEventHub = new("TelemetryEventHub", SettingScope.LocalOnly, "Event Hubs connection string (EntityPath=telemetry); locally its key authorises the ingest endpoint");
    public static readonly AppSetting TelemetryEventHubNamespace = new("TelemetryEventHub__fullyQualifiedNamespace", SettingScope.AzureOnly, "Event Hubs namespace the trigger reads with the managed identity");
    public static readonly AppSetting TelemetryGatewaySend = new("TelemetryGatewaySend", SettingScope.Everywhere, "Connection string of the hub's send-only gateway-send policy (a Key Vault reference in Azure): signs each gateway's publisher token");
    public static readonly AppSetting EmailSenderAddress = new("Email__SenderAddress", SettingScope.Everywhere, "From address of every mail (a verified ACS domain)");
    public static readonly AppSetting EmailEndpoint = new("Email__Endpoint", SettingScope.AzureOnly, "ACS endpoint, reached with the managed identity", Optional: true);
    public static readonly AppSetting EmailConnectionString = new("Email__ConnectionString", SettingScope.AzureOnly, "ACS connection string, instead of Email__Endpoint", Optional: true);
    public static readonly AppSetting PortalBaseUrl = new("Portal__BaseUrl", SettingScope.Everywhere, "Public URL of the portal, for links in mails");
    public static readonly AppSetting SupportName = new("Support__Name", SettingScope.Everywhere, "Who answers customers and dealers (運営), shown with phone and hours in the portal's footer and in every mail");
    public static readonly AppSetting SupportPhone = new("Support__Phone", SettingScope.Everywhere, "The support phone number");
    public static readonly AppSetting SupportHours = new("Support__Hours", SettingScope.Everywhere, "When the support phone is answered (e.g. 平日 9:00〜17:00)");
    public static readonly AppSetting FirstAdminEmail = new("Admin__FirstAdminEmail", SettingScope.Everywhere, "E-mail of the first operator account: registering with it (or having it) grants the admin role", Optional: true);
    public static readonly AppSetting RequestTimeout = new("Http__RequestTimeout", SettingScope.Everywhere, "Deadline of every HTTP request (hh:mm:ss, default 00:00:10); past it the caller gets 503", Optional: true);
    public static readonly AppSetting PasswordHashIterations = new("Security__PasswordHashIterations", SettingScope.Everywhere, "PBKDF2 iterations of new password hashes (default 100000); older hashes still verify and are replaced at the next sign-in", Optional: true);
    public static readonly AppSetting Port = new("KPNET_PORT", SettingScope.LocalOnly, "Local HTTP port (default 7071)", Optional: true);
    public static readonly AppSetting DataFolder = new("KPNET_DATA_DIR", SettingScope.LocalOnly, "Local data folder (default .data)", Optional: true);
    public static readonly AppSetting DemoGateways = new("DemoData__GatewaysCsv", SettingScope.LocalOnly, "Demo gateway inventory imported at start", Optional: true);
    public static readonly AppSetting DemoDealers = new("DemoData__Dealers", SettingScope.LocalOnly, "\"true\": sign up and activate the two demo dealers at start when missing", Optional: true);
    public static readonly AppSetting ApplicationInsights = new("APPLICATIONINSIGHTS_CONNECTION_STRING", SettingScope.AzureOnly, "Application Insights: when set, traces, metrics and logs are exported to it (Azure Monitor)");
    public static readonly AppSetting ApplicationInsightsAuthentication = new("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", SettingScope.AzureOnly, "\"Authorization=AAD\": export to Application Insights with the managed identity", Optional: true);
    public static readonly AppSetting OtlpEndpoint = new("OTEL_EXPORTER_OTLP_ENDPOINT", SettingScope.Everywhere, "OTLP endpoint (an OpenTelemetry collector or viewer): when set, traces, metrics and logs are exported there; the other OTEL_* settings apply", Optional: true);
    public static readonly AppSetting PortalStaticFiles = new("Portal__StaticFiles", SettingScope.LocalOnly, "Folder of the built portal served at / (default portal/dist)", Optional: true);

    public static IReadOnlyList<AppSetting> All { get; } =
    [
        Storage, StorageAccountName, StorageClientId, TelemetryShardConnectionString, TelemetryShardAccountName, TelemetryEventHub, TelemetryEventHubNamespace, TelemetryGatewaySend,
        EmailSenderAddress, EmailEndpoint, EmailConnectionString, PortalBaseUrl, SupportName, SupportPhone, SupportHours, FirstAdminEmail, RequestTimeout, PasswordHashIterations, Port, DataFolder, DemoGateways, DemoDealers, PortalStaticFiles,
        ApplicationInsights, ApplicationInsightsAuthentication, OtlpEndpoint,
    ];
}
