namespace KpNet.Gateways;

internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 8000, EventName = "GatewayAdded", Level = LogLevel.Information, Message = "User {UserId} added gateway {GatewayId}")]
    public static partial void GatewayAdded(this ILogger logger, string userId, string gatewayId);

    [LoggerMessage(EventId = 8001, EventName = "GatewayAddTaken", Level = LogLevel.Information, Message = "User {UserId} tried to add gateway {GatewayId}, which another account holds or which is retired")]
    public static partial void GatewayTaken(this ILogger logger, string userId, string gatewayId);

    [LoggerMessage(EventId = 8002, EventName = "GatewaySiteEdited", Level = LogLevel.Information, Message = "User {UserId} edited the site of gateway {GatewayId}")]
    public static partial void SiteEdited(this ILogger logger, string userId, string gatewayId);

    [LoggerMessage(EventId = 8007, EventName = "GridConnectionDateSet", Level = LogLevel.Information, Message = "User {UserId} set the grid-connection date of gateway {GatewayId} to {Date} (was {Previous})")]
    public static partial void GridConnectionDateSet(this ILogger logger, string userId, string gatewayId, DateOnly date, DateOnly? previous);

    [LoggerMessage(EventId = 8003, EventName = "GatewayReplaced", Level = LogLevel.Information, Message = "User {UserId} replaced gateway {OldGatewayId} with {NewGatewayId}; {DealerCount} dealer link(s) carried over")]
    public static partial void GatewayReplaced(this ILogger logger, string userId, string oldGatewayId, string newGatewayId, int dealerCount);

    [LoggerMessage(EventId = 8004, EventName = "GatewayDisposed", Level = LogLevel.Information, Message = "User {UserId} disposed of gateway {GatewayId}; {DealerCount} dealer link(s) ended")]
    public static partial void GatewayDisposed(this ILogger logger, string userId, string gatewayId, int dealerCount);

    [LoggerMessage(EventId = 8005, EventName = "GatewayCredentialsRefused", Level = LogLevel.Information, Message = "User {UserId}: wrong ID or password for gateway {GatewayId}")]
    public static partial void CredentialsRefused(this ILogger logger, string userId, string gatewayId);

    [LoggerMessage(EventId = 8006, EventName = "GatewayGuessingThrottled", Level = LogLevel.Warning, Message = "User {UserId}: gateway password guessing for {GatewayId} throttled for {RetryAfter}")]
    public static partial void CredentialsThrottled(this ILogger logger, string userId, string gatewayId, TimeSpan retryAfter);

    [LoggerMessage(EventId = 8010, EventName = "InventoryImportedByOperator", Level = LogLevel.Information, Message = "Operator {UserId} imported the gateway inventory: {Imported} added, {AlreadyPresent} present, {Errors} line(s) rejected")]
    public static partial void InventoryImported(this ILogger logger, string userId, int imported, int alreadyPresent, int errors);

    [LoggerMessage(EventId = 8011, EventName = "InventoryCheckedByOperator", Level = LogLevel.Information, Message = "Operator {UserId} checked an inventory file: {New} new, {AlreadyPresent} present, {Errors} line(s) rejected")]
    public static partial void InventoryChecked(this ILogger logger, string userId, int @new, int alreadyPresent, int errors);

    [LoggerMessage(EventId = 8012, EventName = "OperatorViewedCustomerData", Level = LogLevel.Information, Message = "Operator {UserId} viewed {Fields} of customer {CustomerUserId} (gateway {GatewayId})")]
    public static partial void OperatorViewedCustomerData(this ILogger logger, string userId, string fields, string customerUserId, string gatewayId);

    [LoggerMessage(EventId = 8050, EventName = "DealerLinked", Level = LogLevel.Information, Message = "User {UserId} linked dealer {DealerId} to gateway {GatewayId}")]
    public static partial void DealerLinked(this ILogger logger, string userId, int dealerId, string gatewayId);

    [LoggerMessage(EventId = 8051, EventName = "DealerLinkRefused", Level = LogLevel.Information, Message = "User {UserId}: dealer {DealerId} not linked to gateway {GatewayId} ({Reason})")]
    public static partial void DealerLinkRefused(this ILogger logger, string userId, int dealerId, string gatewayId, string reason);

    [LoggerMessage(EventId = 8052, EventName = "DealerUnlinked", Level = LogLevel.Information, Message = "User {UserId} unlinked dealer {DealerId} from gateway {GatewayId}")]
    public static partial void DealerUnlinked(this ILogger logger, string userId, int dealerId, string gatewayId);

    [LoggerMessage(EventId = 8053, EventName = "DealerPairRejected", Level = LogLevel.Information, Message = "User {UserId}: dealer ID and phone did not match")]
    public static partial void DealerPairRejected(this ILogger logger, string userId);

    [LoggerMessage(EventId = 8054, EventName = "DealerPairGuessingThrottled", Level = LogLevel.Warning, Message = "User {UserId}: dealer ID + phone guessing throttled for {RetryAfter}")]
    public static partial void DealerPairThrottled(this ILogger logger, string userId, TimeSpan retryAfter);
}
