namespace KpNet.Configuration;

/// <summary>Local mode's demo data: DemoData__GatewaysCsv (inventory imported at start) and DemoData__Dealers ("true": the two demo dealers).</summary>
public sealed class DemoDataOptions
{
    public const string Section = "DemoData";

    public string? GatewaysCsv { get; set; }

    public bool Dealers { get; set; }

    public static void AddTo(IServiceCollection services) => services.AddSettings<DemoDataOptions>(Section, Problems);

    private static IEnumerable<string> Problems(DemoDataOptions options, HostingMode mode) =>
        mode.RunsLocalTriggers && options.GatewaysCsv is { Length: > 0 } path && !File.Exists(path)
            ? [$"Setting {AppSettings.DemoGateways.Name} names {path}, which does not exist."]
            : [];
}
