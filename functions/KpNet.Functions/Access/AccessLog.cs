namespace KpNet.Access;

/// <summary>Claim release and repair events (EventIds 5000–5099, shared with registration).</summary>
internal static partial class AccessLog
{
    [LoggerMessage(EventId = 5020, EventName = "RegistrationReleased", Level = LogLevel.Information, Message = "Expired provisional registration of user {UserId} released gateway {GatewayId}")]
    public static partial void RegistrationReleased(this ILogger logger, string userId, string gatewayId);

    [LoggerMessage(EventId = 5021, EventName = "ClaimRepaired", Level = LogLevel.Information, Message = "Gateway {GatewayId} of active user {UserId} had a provisional claim; marked active")]
    public static partial void ClaimRepaired(this ILogger logger, string userId, string gatewayId);

    [LoggerMessage(EventId = 5022, EventName = "RegistrationSweepCompleted", Level = LogLevel.Information, Message = "Registration sweep: {Due} due, {Released} released")]
    public static partial void SweepCompleted(this ILogger logger, int due, int released);
}
