namespace KpNet.Azure.EventHubs;

/// <summary>
/// An Event Hubs connection string (Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=..;SharedAccessKey=..;EntityPath=hub).
/// A loopback endpoint means the app's local ingest endpoint, which speaks plain HTTP.
/// </summary>
public sealed record EventHubsConnectionString(Uri Endpoint, string SharedAccessKeyName, string SharedAccessKey, string EventHubName)
{
    public static EventHubsConnectionString Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new FormatException("The Event Hubs connection string has a part without '='.");
            }

            parts[pair[..separator]] = pair[(separator + 1)..];
        }

        string Required(string name) => parts.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw new FormatException($"The Event Hubs connection string has no {name}.");

        if (!Uri.TryCreate(Required("Endpoint"), UriKind.Absolute, out var endpoint))
        {
            throw new FormatException("The Event Hubs connection string's Endpoint is not an absolute URI.");
        }

        var scheme = endpoint.IsLoopback ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        var httpEndpoint = new UriBuilder(endpoint) { Scheme = scheme, Port = endpoint.IsDefaultPort ? -1 : endpoint.Port, Path = "/" }.Uri;
        return new EventHubsConnectionString(httpEndpoint, Required("SharedAccessKeyName"), Required("SharedAccessKey"), Required("EntityPath"));
    }

    /// <summary>The hub's resource URI, the <c>sr</c> of its shared access signatures.</summary>
    public Uri EventHubUri => new(Endpoint, EventHubName);
}
