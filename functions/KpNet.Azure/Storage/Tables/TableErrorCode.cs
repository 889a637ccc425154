namespace KpNet.Azure.Storage.Tables;

/// <summary>
/// Error codes of the Table service (learn.microsoft.com: "Table Storage error codes"). The client
/// raises the same codes for limits that Azure enforces and Azurite does not.
/// </summary>
public static class TableErrorCode
{
    public const string CommandsInBatchActOnDifferentPartitions = nameof(CommandsInBatchActOnDifferentPartitions);
    public const string EntityAlreadyExists = nameof(EntityAlreadyExists);
    public const string EntityTooLarge = nameof(EntityTooLarge);
    public const string InvalidDuplicateRow = nameof(InvalidDuplicateRow);
    public const string InvalidInput = nameof(InvalidInput);
    public const string OutOfRangeInput = nameof(OutOfRangeInput);
    public const string PropertyValueTooLarge = nameof(PropertyValueTooLarge);
    public const string RequestBodyTooLarge = nameof(RequestBodyTooLarge);
    public const string ResourceNotFound = nameof(ResourceNotFound);
    public const string TableAlreadyExists = nameof(TableAlreadyExists);
    public const string TableNotFound = nameof(TableNotFound);
    public const string TooManyProperties = nameof(TooManyProperties);
    public const string UpdateConditionNotSatisfied = nameof(UpdateConditionNotSatisfied);
}
