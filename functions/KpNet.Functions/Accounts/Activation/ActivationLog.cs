namespace KpNet.Accounts.Activation;

/// <summary>Activation events (EventIds 5000–5099, shared with registration). Never passwords, tokens or phone numbers.</summary>
internal static partial class ActivationLog
{
    [LoggerMessage(EventId = 5003, EventName = "ActivationLinkReissued", Level = LogLevel.Information, Message = "A new activation link was issued to provisional user {UserId}")]
    public static partial void ActivationLinkReissued(this ILogger logger, string userId);

    [LoggerMessage(EventId = 5010, EventName = "AccountActivated", Level = LogLevel.Information, Message = "User {UserId} activated their account as {Role}")]
    public static partial void AccountActivated(this ILogger logger, string userId, AccountRole role);

    [LoggerMessage(EventId = 5011, EventName = "ActivationPhoneMismatch", Level = LogLevel.Information, Message = "An activation of user {UserId} gave the wrong phone number")]
    public static partial void ActivationPhoneMismatch(this ILogger logger, string userId);

    [LoggerMessage(EventId = 5012, EventName = "ActivationThrottled", Level = LogLevel.Warning, Message = "Activation of user {UserId} throttled after repeated wrong phone numbers")]
    public static partial void ActivationThrottled(this ILogger logger, string userId);
}
