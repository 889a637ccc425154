using KpNet.Azure.Storage.Tables;

namespace KpNet.Telemetry;

/// <summary>
/// Null for a missing property. TableEntity's GetDouble/GetInt32/GetInt64/GetBoolean/GetDateTimeOffset answer 0, false
/// or default (not null) when the property is absent, and a missing measurement must stay unknown.
/// </summary>
internal static class OptionalValues
{
    public static double? OptionalDouble(this TableEntity entity, string name) => Has(entity, name) ? entity.GetDouble(name) : null;

    public static int? OptionalInt32(this TableEntity entity, string name) => Has(entity, name) ? entity.GetInt32(name) : null;

    public static long? OptionalInt64(this TableEntity entity, string name) => Has(entity, name) ? entity.GetInt64(name) : null;

    public static bool? OptionalBoolean(this TableEntity entity, string name) => Has(entity, name) ? entity.GetBoolean(name) : null;

    public static DateTimeOffset? OptionalDateTimeOffset(this TableEntity entity, string name) =>
        Has(entity, name) ? entity.GetDateTimeOffset(name) : null;

    private static bool Has(TableEntity entity, string name) => entity.TryGetValue(name, out var value) && value is not null;
}
