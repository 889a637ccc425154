namespace KpNet.Simulator;

/// <summary>The simulated gateways and the households' clock, which runs <c>speed</c> times faster than real time.</summary>
public sealed class GatewaySimulator(IEnumerable<DemoGateway> gateways, TimeSpan interval, double speed = 1, bool faults = false)
{
    private readonly IReadOnlyList<SimulatedGateway> _gateways = gateways.Select(g => new SimulatedGateway(g)).ToList();
    private DateTimeOffset? _start;
    private DateTimeOffset _last;

    public IReadOnlyList<SimulatedGateway> Gateways => _gateways;

    /// <summary>One event per gateway for the time <paramref name="now"/>.</summary>
    public IReadOnlyList<TelemetryReading> NextRound(DateTimeOffset now)
    {
        _start ??= now;
        var step = (_last == default ? interval : now - _last) * speed;
        _last = now;
        var householdTime = _start.Value + (now - _start.Value) * speed;
        return _gateways.Select(g => g.Next(now, householdTime, step > TimeSpan.Zero ? step : interval, faults)).ToList();
    }
}
