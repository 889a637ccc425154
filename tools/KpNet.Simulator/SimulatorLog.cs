namespace KpNet.Simulator;

internal static partial class SimulatorLog
{
    [LoggerMessage(EventId = 7000, EventName = "SimulatorStarted", Level = LogLevel.Information, Message = "Simulating {GatewayCount} gateways, sending to hub {EventHubName} at {Endpoint} through {Sender} every {IntervalSeconds} s (speed {Speed}, faults {Faults})")]
    public static partial void Started(ILogger logger, int gatewayCount, string eventHubName, string endpoint, string sender, double intervalSeconds, double speed, bool faults);

    [LoggerMessage(EventId = 7001, EventName = "SimulatorRoundSent", Level = LogLevel.Information, Message = "Round {Round}: {Sent} events sent in {Requests} requests, 0 failed ({ElapsedMs} ms)")]
    public static partial void RoundSent(ILogger logger, int round, int sent, int requests, long elapsedMs);

    [LoggerMessage(EventId = 7002, EventName = "SimulatorRoundFailed", Level = LogLevel.Warning, Message = "Round {Round}: {Sent} events sent, {Failed} failed in {Requests} requests ({ElapsedMs} ms): {Error}")]
    public static partial void RoundFailed(ILogger logger, int round, int sent, int failed, int requests, long elapsedMs, string? error);

    [LoggerMessage(EventId = 7004, EventName = "SimulatorSettingsApplied", Level = LogLevel.Information, Message = "{Applied} gateways applied new settings and reported them")]
    public static partial void SettingsApplied(ILogger logger, int applied);

    [LoggerMessage(EventId = 7005, EventName = "SimulatorSettingsPollFailed", Level = LogLevel.Warning, Message = "The settings poll failed: {Error}")]
    public static partial void SettingsPollFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 7003, EventName = "SimulatorStopped", Level = LogLevel.Information, Message = "Simulator stopped after {Rounds} rounds")]
    public static partial void Stopped(ILogger logger, int rounds);
}
