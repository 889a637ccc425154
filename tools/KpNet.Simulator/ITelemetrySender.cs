namespace KpNet.Simulator;

/// <summary>What one round of sending achieved.</summary>
public readonly record struct SendResult(int Sent, int Failed, int Requests, string? LastError);

/// <summary>
/// Where the simulator sends a round of readings: the app's local ingest endpoint (<see cref="TelemetrySender"/>) or a
/// real Event Hubs namespace (<see cref="EventHubsTelemetrySender"/>). Failures are counted, not thrown: the next round
/// tries again.
/// </summary>
public interface ITelemetrySender
{
    Task<SendResult> SendAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken);
}
