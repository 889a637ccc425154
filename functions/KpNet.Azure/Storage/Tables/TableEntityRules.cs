namespace KpNet.Azure.Storage.Tables;

/// <summary>Table service limits that Azure enforces (learn.microsoft.com: "Understanding the Table service data model").</summary>
internal static class TableEntityRules
{
    public const int MaxProperties = 255;
    public const int MaxEntityBytes = 1024 * 1024;
    public const int MaxPropertyValueBytes = 64 * 1024;
    public const int MaxKeyLength = 1024;

    /// <summary>PartitionKey, RowKey and Timestamp count towards <see cref="MaxProperties"/>.</summary>
    private const int SystemProperties = 3;

    public static void ValidateKey(string? key, string name)
    {
        if (key is null)
        {
            throw new ArgumentException($"{name} is required.", name);
        }

        if (key.Length > MaxKeyLength)
        {
            throw TableLimitException.Create(TableErrorCode.OutOfRangeInput, $"{name} is longer than {MaxKeyLength} characters.");
        }

        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' or (>= '\u0000' and <= '\u001F') or (>= '\u007F' and <= '\u009F'))
            {
                throw TableLimitException.Create(
                    TableErrorCode.OutOfRangeInput,
                    $"{name} contains '/', '\\', '#', '?' or a control character (U+{(int)c:X4}).");
            }
        }
    }

    public static void ValidateEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ValidateKey(entity.GetString(TableEntity.PartitionKeyName), nameof(TableEntity.PartitionKey));
        ValidateKey(entity.GetString(TableEntity.RowKeyName), nameof(TableEntity.RowKey));

        var customProperties = 0;
        long size = 4 + (entity.PartitionKey.Length * 2) + (entity.RowKey.Length * 2);
        foreach (var (name, value) in entity)
        {
            if (IsSystemProperty(name) || value is null)
            {
                continue;
            }

            customProperties++;
            var valueSize = ValueSize(name, value);
            if (valueSize > MaxPropertyValueBytes + 4)
            {
                throw TableLimitException.Create(
                    TableErrorCode.PropertyValueTooLarge, $"Property '{name}' is larger than {MaxPropertyValueBytes} bytes.");
            }

            size += 8 + (name.Length * 2) + valueSize;
        }

        if (customProperties > MaxProperties - SystemProperties)
        {
            throw TableLimitException.Create(
                TableErrorCode.TooManyProperties,
                $"The entity has {customProperties + SystemProperties} properties (PartitionKey, RowKey and Timestamp included); the limit is {MaxProperties}.");
        }

        if (size > MaxEntityBytes)
        {
            throw TableLimitException.Create(
                TableErrorCode.EntityTooLarge, $"The entity is about {size} bytes; the limit is {MaxEntityBytes}.");
        }
    }

    public static bool IsSystemProperty(string name) =>
        name is TableEntity.PartitionKeyName or TableEntity.RowKeyName or TableEntity.TimestampName;

    /// <summary>Stored size per the documented formula: strings UTF-16 plus a 4-byte length, binary plus 4.</summary>
    private static long ValueSize(string name, object value) => value switch
    {
        string s => 4 + (s.Length * 2L),
        byte[] b => 4 + b.Length,
        BinaryData b => 4 + b.ToMemory().Length,
        bool => 1,
        int => 4,
        long or double or DateTime or DateTimeOffset => 8,
        Guid => 16,
        _ => throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType()}.", nameof(value)),
    };
}
