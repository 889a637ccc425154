namespace KpNet.Accounts.Dealers;

internal static partial class DealerLog
{
    [LoggerMessage(EventId = 8100, EventName = "DealerSignedUp", Level = LogLevel.Information, Message = "Dealer account {UserId} signed up (provisional)")]
    public static partial void DealerSignedUp(this ILogger logger, string userId);

    [LoggerMessage(EventId = 8101, EventName = "DealerSignUpAddressTaken", Level = LogLevel.Information, Message = "Dealer sign-up for an address that has account {UserId}: notice or fresh link sent")]
    public static partial void AddressTaken(this ILogger logger, string userId);

    [LoggerMessage(EventId = 8102, EventName = "DealerIdAssigned", Level = LogLevel.Information, Message = "Dealer account {UserId} activated with dealer ID {DealerId}")]
    public static partial void DealerIdAssigned(this ILogger logger, string userId, int dealerId);

    [LoggerMessage(EventId = 8103, EventName = "DealerStaffEmailsChanged", Level = LogLevel.Information, Message = "Dealer {DealerId} now has {Count} staff address(es)")]
    public static partial void StaffEmailsChanged(this ILogger logger, int dealerId, int count);

    [LoggerMessage(EventId = 8104, EventName = "DemoDealerReady", Level = LogLevel.Information, Message = "Demo dealer {Email} is dealer {DealerId}")]
    public static partial void DemoDealerReady(this ILogger logger, string email, int? dealerId);

    [LoggerMessage(EventId = 8105, EventName = "DemoDealerFailed", Level = LogLevel.Warning, Message = "Demo dealer {Email} could not be created: {Outcome}")]
    public static partial void DemoDealerFailed(this ILogger logger, string email, string outcome);

    [LoggerMessage(EventId = 8110, EventName = "DealerViewedCustomerData", Level = LogLevel.Information, Message = "Dealer {DealerId} viewed {Fields} of customer {CustomerUserId} (gateway {GatewayId})")]
    public static partial void CustomerDataViewed(this ILogger logger, int dealerId, string fields, string customerUserId, string gatewayId);
}
