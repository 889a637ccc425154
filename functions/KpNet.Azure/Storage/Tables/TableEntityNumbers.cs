using Azure.Data.Tables;

namespace KpNet.Azure.Storage.Tables;

public static class TableEntityNumbers
{
    /// <summary>
    /// A Double property, also when Azure answers it as an integer: the service sends a Double whose value is whole
    /// (3200.0) as a bare JSON number without its type, which the SDK reads as an Int32 (or Int64) and
    /// <see cref="TableEntity.GetDouble"/> then refuses. Azurite keeps the type, so only Azure shows it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The property holds something other than a number.</exception>
    public static double? GetNumber(this TableEntity entity, string key) => entity.TryGetValue(key, out var value)
        ? value switch
        {
            int whole => whole,
            long whole => whole,
            _ => entity.GetDouble(key),
        }
        : null;
}
