namespace KpNet.Accounts.Registration;

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

    [LoggerMessage(EventId = 5003, EventName = "ActivationLinkReissued", Level = LogLevel.Information, Message = "A new activation link was issued to provisional user {UserId}")]
    public static partial void ActivationLinkReissued(this ILogger logger, string userId);

    [LoggerMessage(EventId = 5004, EventName = "GatewayCredentialsRejected", Level = LogLevel.Information, Message = "Wrong gateway ID or password for {GatewayId}")]
    public static partial void GatewayCredentialsRejected(this ILogger logger, string gatewayId);

    [LoggerMessage(EventId = 5005, EventName = "GatewayGuessingThrottled", Level = LogLevel.Warning, Message = "Gateway password guessing throttled for {GatewayId}; retry after {RetryAfter}")]
    public static partial void GatewayGuessingThrottled(this ILogger logger, string gatewayId, TimeSpan retryAfter);

    [LoggerMessage(EventId = 5010, EventName = "AccountActivated", Level = LogLevel.Information, Message = "User {UserId} activated their account as {Role}")]
    public static partial void AccountActivated(this ILogger logger, string userId, AccountRole role);

    [LoggerMessage(EventId = 5011, EventName = "ActivationPhoneMismatch", Level = LogLevel.Information, Message = "An activation of user {UserId} gave the wrong phone number")]
    public static partial void ActivationPhoneMismatch(this ILogger logger, string userId);

    [LoggerMessage(EventId = 5012, EventName = "ActivationThrottled", Level = LogLevel.Warning, Message = "Activation of user {UserId} throttled after repeated wrong phone numbers")]
    public static partial void ActivationThrottled(this ILogger logger, string userId);

    [LoggerMessage(EventId = 5020, EventName = "RegistrationReleased", Level = LogLevel.Information, Message = "Expired provisional registration of user {UserId} released gateway {GatewayId}")]
    public static partial void RegistrationReleased(this ILogger logger, string userId, string gatewayId);

    [LoggerMessage(EventId = 5021, EventName = "ClaimRepaired", Level = LogLevel.Information, Message = "Gateway {GatewayId} of active user {UserId} had a provisional claim; marked active")]
    public static partial void ClaimRepaired(this ILogger logger, string userId, string gatewayId);

    [LoggerMessage(EventId = 5022, EventName = "RegistrationSweepCompleted", Level = LogLevel.Information, Message = "Registration sweep: {Due} due, {Released} released")]
    public static partial void SweepCompleted(this ILogger logger, int due, int released);
}
