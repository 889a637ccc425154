using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Azure;

namespace KpNet.Azure.Storage.Tables;

/// <summary>
/// A table entity as a property bag, like <c>Azure.Data.Tables.TableEntity</c>. Supported value
/// types: <see cref="string"/>, <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>,
/// <see cref="double"/>, <see cref="DateTimeOffset"/>, <see cref="DateTime"/>, <see cref="Guid"/>,
/// <c>byte[]</c> and <see cref="BinaryData"/>. Null values are not sent.
/// </summary>
[SuppressMessage("Naming", "CA1710", Justification = "Named like Azure.Data.Tables.TableEntity on purpose.")]
public sealed class TableEntity : IDictionary<string, object?>
{
    internal const string PartitionKeyName = "PartitionKey";
    internal const string RowKeyName = "RowKey";
    internal const string TimestampName = "Timestamp";

    private readonly Dictionary<string, object?> _properties = new(StringComparer.Ordinal);

    public TableEntity()
    {
    }

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public TableEntity(IDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (key, value) in values)
        {
            _properties[key] = value;
        }
    }

    public string PartitionKey
    {
        get => GetString(PartitionKeyName) ?? string.Empty;
        set => _properties[PartitionKeyName] = value;
    }

    public string RowKey
    {
        get => GetString(RowKeyName) ?? string.Empty;
        set => _properties[RowKeyName] = value;
    }

    /// <summary>Set by the service; ignored when writing.</summary>
    public DateTimeOffset? Timestamp
    {
        get => GetDateTimeOffset(TimestampName);
        set => _properties[TimestampName] = value;
    }

    public ETag ETag { get; set; }

    public int Count => _properties.Count;

    public bool IsReadOnly => false;

    public ICollection<string> Keys => _properties.Keys;

    public ICollection<object?> Values => _properties.Values;

    public object? this[string key]
    {
        get => _properties[key];
        set => _properties[key] = value;
    }

    public string? GetString(string key) => Get<string>(key);

    public bool? GetBoolean(string key) => GetValue<bool>(key);

    public int? GetInt32(string key) => GetValue<int>(key);

    public long? GetInt64(string key) => _properties.GetValueOrDefault(key) switch
    {
        int value => value,
        _ => GetValue<long>(key),
    };

    public double? GetDouble(string key) => _properties.GetValueOrDefault(key) switch
    {
        int value => value,
        _ => GetValue<double>(key),
    };

    public DateTimeOffset? GetDateTimeOffset(string key) => _properties.GetValueOrDefault(key) switch
    {
        DateTime value => new DateTimeOffset(value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : value),
        _ => GetValue<DateTimeOffset>(key),
    };

    public Guid? GetGuid(string key) => GetValue<Guid>(key);

    public byte[]? GetBinary(string key) => _properties.GetValueOrDefault(key) switch
    {
        BinaryData value => value.ToArray(),
        _ => Get<byte[]>(key),
    };

    public void Add(string key, object? value) => _properties.Add(key, value);

    public bool ContainsKey(string key) => _properties.ContainsKey(key);

    public bool Remove(string key) => _properties.Remove(key);

    public bool TryGetValue(string key, out object? value) => _properties.TryGetValue(key, out value);

    public void Add(KeyValuePair<string, object?> item) => _properties.Add(item.Key, item.Value);

    public void Clear() => _properties.Clear();

    public bool Contains(KeyValuePair<string, object?> item) => ((ICollection<KeyValuePair<string, object?>>)_properties).Contains(item);

    public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex) =>
        ((ICollection<KeyValuePair<string, object?>>)_properties).CopyTo(array, arrayIndex);

    public bool Remove(KeyValuePair<string, object?> item) => ((ICollection<KeyValuePair<string, object?>>)_properties).Remove(item);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private T? Get<T>(string key)
        where T : class => _properties.GetValueOrDefault(key) switch
        {
            null => null,
            T typed => typed,
            var other => throw WrongType(key, other, typeof(T)),
        };

    // A separate overload for value types: with an unconstrained T, "T?" would be T and a missing property would read as 0.
    private T? GetValue<T>(string key)
        where T : struct => _properties.GetValueOrDefault(key) switch
        {
            null => null,
            T typed => typed,
            var other => throw WrongType(key, other, typeof(T)),
        };

    private static InvalidOperationException WrongType(string key, object value, Type expected) =>
        new($"Property '{key}' holds a {value.GetType().Name}, not a {expected.Name}.");
}
