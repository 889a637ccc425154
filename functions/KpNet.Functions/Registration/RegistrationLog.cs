namespace KpNet.Registration;

/// <summary>Registration events (EventIds 5000–5099). Never passwords, tokens or phone numbers.</summary>
internal static partial class RegistrationLog
{
    [LoggerMessage(EventId = 5000, EventName = "CustomerRegistered", Level = LogLevel.Information, Message = "User {UserId} registered provisionally with gateway {GatewayId}")]
    public static partial void CustomerRegistered(this ILogger logger, string userId, string gatewayId);

    [LoggerMessage(EventId = 5001, EventName = "RegistrationGatewayTaken", Level = LogLevel.Information, Message = "A registration for gateway {GatewayId} was refused: it is already claimed")]
    public static partial void GatewayTaken(this ILogger logger, string gatewayId);

    [LoggerMessage(EventId = 5002, EventName = "RegistrationAddressTaken", Level = LogLevel.Information, Message = "A registration of gateway {GatewayId} was for an address that already has account {UserId}: no new account, the owner is notified")]
    public static partial void AddressTaken(this ILogger logger, string? userId, string gatewayId);

    [LoggerMessage(EventId = 5006, EventName = "RegistrationLapsed", Level = LogLevel.Warning, Message = "A queued registration of user {UserId} found gateway {GatewayId} no longer claimed for it; nothing was created")]
    public static partial void RegistrationLapsed(this ILogger logger, string userId, string gatewayId);

    [LoggerMessage(EventId = 5032, EventName = "RegistrationReclaimed", Level = LogLevel.Warning, Message = "A queued registration of user {UserId} ran after the repair had released gateway {GatewayId}; the gateway was still free and is claimed again")]
    public static partial void RegistrationReclaimed(this ILogger logger, string userId, string gatewayId);

    [LoggerMessage(EventId = 5004, EventName = "GatewayCredentialsRejected", Level = LogLevel.Information, Message = "Wrong gateway ID or password for {GatewayId}")]
    public static partial void GatewayCredentialsRejected(this ILogger logger, string gatewayId);

    [LoggerMessage(EventId = 5005, EventName = "GatewayGuessingThrottled", Level = LogLevel.Warning, Message = "Gateway password guessing throttled for {GatewayId}; retry after {RetryAfter}")]
    public static partial void GatewayGuessingThrottled(this ILogger logger, string gatewayId, TimeSpan retryAfter);
}
