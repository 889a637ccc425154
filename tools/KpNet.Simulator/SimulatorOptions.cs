using System.Globalization;
using System.Text.Json;
using Azure.Messaging.EventHubs;

namespace KpNet.Simulator;

/// <summary>The command line (see <see cref="Usage"/>).</summary>
public sealed record SimulatorOptions(
    string GatewaysCsv, int? Count, TimeSpan Interval, string? Connection, bool Faults, double Speed, bool Once,
    string? EventHubsConnection = null, string? EventHubsNamespace = null, string? EventHub = null, int ParallelSends = 32,
    string? MakeInventory = null)
{
    public const string Usage = """
        usage: dotnet run --project tools/KpNet.Simulator -- [options]
          --gateways FILE      demo inventory CSV (default tools/demo/gateways.csv)
          --count N            simulate the first N gateways (default all)
          --interval 5s        time between rounds (ms, s or m; default 5s)
          --connection "..."   Event Hubs connection string for the REST send API (default: TelemetryEventHub of
                               ./local.settings.json or ./local.settings.sample.json, i.e. the app's local ingest
                               endpoint, on port KPNET_PORT when that is set)
          --faults             occasionally report unit fault codes and battery over-temperature
          --speed 1            the households' clock runs this many times faster than real time (ts stays real)
          --once               send one round and exit (non-zero when any event failed)
        a real Event Hubs namespace instead, through Azure.Messaging.EventHubs (AMQP):
          --event-hubs "..."   connection string of a send policy (with EntityPath, or give --event-hub)
          --event-hubs-namespace NS.servicebus.windows.net --event-hub telemetry
                               signed in with DefaultAzureCredential (az login, environment, managed identity), which
                               needs the Azure Event Hubs Data Sender role on the hub
          --parallel-sends 32  gateways whose batches are in flight at once (default 32)
        or write an inventory of simulated gateways for a deployed system to import, and exit:
          --make-inventory FILE --count N
        """;

    private static readonly string[] SettingsFiles = ["local.settings.json", "local.settings.sample.json"];

    /// <summary>True when the rounds go to a real Event Hubs namespace rather than through the REST send API.</summary>
    public bool SendsToEventHubs => EventHubsConnection is not null || EventHubsNamespace is not null;

    public static SimulatorOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SimulatorOptions("tools/demo/gateways.csv", null, TimeSpan.FromSeconds(5), null, false, 1, false);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--gateways" => options with { GatewaysCsv = Value() },
                "--count" => options with { Count = int.TryParse(Value(), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException("--count must be a positive number.") },
                "--interval" => options with { Interval = ParseInterval(Value()) },
                "--connection" => options with { Connection = Value() },
                "--faults" => options with { Faults = true },
                "--speed" => options with { Speed = double.TryParse(Value(), CultureInfo.InvariantCulture, out var s) && s > 0 ? s : throw new FormatException("--speed must be a positive number.") },
                "--once" => options with { Once = true },
                "--event-hubs" => options with { EventHubsConnection = Value() },
                "--event-hubs-namespace" => options with { EventHubsNamespace = Value() },
                "--event-hub" => options with { EventHub = Value() },
                "--make-inventory" => options with { MakeInventory = Value() },
                "--parallel-sends" => options with { ParallelSends = int.TryParse(Value(), CultureInfo.InvariantCulture, out var p) && p > 0 ? p : throw new FormatException("--parallel-sends must be a positive number.") },
                _ => throw new FormatException($"Unknown option {args[i]}."),
            };
        }

        options.CheckCombinations();
        return options;
    }

    private void CheckCombinations()
    {
        if (MakeInventory is not null && Count is null)
        {
            throw new FormatException("--make-inventory needs --count.");
        }

        if (EventHubsConnection is not null && EventHubsNamespace is not null)
        {
            throw new FormatException("Give --event-hubs or --event-hubs-namespace, not both.");
        }

        if (Connection is not null && SendsToEventHubs)
        {
            throw new FormatException("--connection sends through the REST API, --event-hubs and --event-hubs-namespace through Azure.Messaging.EventHubs: give one.");
        }

        if (EventHub is not null && !SendsToEventHubs)
        {
            throw new FormatException("--event-hub goes with --event-hubs or --event-hubs-namespace.");
        }

        if (EventHubsNamespace is not null && EventHub is null)
        {
            throw new FormatException("--event-hubs-namespace needs --event-hub.");
        }

        if (EventHubsConnection is not null)
        {
            CheckEventHubsConnection(EventHubsConnection, EventHub);
        }
    }

    /// <summary>What the client would refuse at start, said in the options' terms (never echoing the key).</summary>
    private static void CheckEventHubsConnection(string connectionString, string? eventHub)
    {
        EventHubsConnectionStringProperties connection;
        try
        {
            connection = EventHubsConnectionStringProperties.Parse(connectionString);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new FormatException("--event-hubs is not an Event Hubs connection string.", e);
        }

        var problem = connection.Endpoint is null ? "has no Endpoint"
            : connection.SharedAccessSignature is null && (connection.SharedAccessKeyName is null || connection.SharedAccessKey is null) ? "has neither SharedAccessKeyName and SharedAccessKey nor SharedAccessSignature"
            : connection.EventHubName is null && eventHub is null ? "has no EntityPath: give --event-hub"
            : connection.EventHubName is not null && eventHub is not null && connection.EventHubName != eventHub ? $"names hub {connection.EventHubName}, --event-hub {eventHub}"
            // The local ingest endpoint speaks only the REST API; the Event Hubs emulator speaks AMQP on loopback.
            : connection.Endpoint.IsLoopback && !connectionString.Contains("UseDevelopmentEmulator=true", StringComparison.OrdinalIgnoreCase) ? "points at this machine, whose ingest endpoint speaks the REST API: use --connection"
            : null;
        if (problem is not null)
        {
            throw new FormatException($"The --event-hubs connection string {problem}.");
        }
    }

    public static TimeSpan ParseInterval(string value)
    {
        var (number, unit) = value.EndsWith("ms", StringComparison.Ordinal) ? (value[..^2], 1.0)
            : value.EndsWith('s') ? (value[..^1], 1000.0)
            : value.EndsWith('m') ? (value[..^1], 60_000.0)
            : (value, 1000.0);
        return double.TryParse(number, CultureInfo.InvariantCulture, out var amount) && amount > 0
            ? TimeSpan.FromMilliseconds(amount * unit)
            : throw new FormatException($"--interval '{value}' is not a duration like 500ms, 5s or 1m.");
    }

    /// <summary>The app's TelemetryEventHub setting from the local settings file in <paramref name="folder"/>.</summary>
    public static string LocalConnection(string folder, string? port)
    {
        var file = SettingsFiles.Select(name => Path.Combine(folder, name)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"No local.settings.json or local.settings.sample.json in {folder}: pass --connection.");
        using var settings = JsonDocument.Parse(File.ReadAllBytes(file));
        if (!settings.RootElement.TryGetProperty("Values", out var values) || !values.TryGetProperty("TelemetryEventHub", out var value) || value.GetString() is not { Length: > 0 } connection)
        {
            throw new FormatException($"{file} has no Values.TelemetryEventHub: pass --connection.");
        }

        if (string.IsNullOrEmpty(port))
        {
            return connection;
        }

        // The app listens on KPNET_PORT, which may differ from the port in the settings file.
        var parts = connection.Split(';').Select(part => part.StartsWith("Endpoint=", StringComparison.OrdinalIgnoreCase)
            ? "Endpoint=" + new UriBuilder(part["Endpoint=".Length..]) { Port = int.Parse(port, CultureInfo.InvariantCulture) }.Uri.AbsoluteUri
            : part);
        return string.Join(';', parts);
    }
}
