using System.Text.Json;
using KpNet.Azure.EventHubs;

namespace KpNet.Tests.Telemetry;

/// <summary>
/// Events as Event Hubs delivers what each gateway sent as its own publisher: the partition key is the gatewayId in the
/// body. Tests send many gateways' events in one request with the hub's key, as the service would batch them.
/// </summary>
internal static class OwnPublisher
{
    public static OutgoingEvent Event(string body) => new(body, GatewayIdIn(body));

    public static List<OutgoingEvent> Events(IEnumerable<string> bodies) => bodies.Select(Event).ToList();

    private static string? GatewayIdIn(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("gatewayId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
