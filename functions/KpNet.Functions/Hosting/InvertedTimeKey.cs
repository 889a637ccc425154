using System.Globalization;

namespace KpNet.Hosting;

/// <summary>RowKeys that sort newest first: (max ticks − ticks), zero-padded, plus a suffix that keeps same-tick rows apart.</summary>
public static class InvertedTimeKey
{
    public static string For(DateTimeOffset at) => Bound(at) + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The time part alone: keys of times from <paramref name="at"/> on sort before <c>Bound(at) + "."</c>, earlier ones after it.</summary>
    public static string Bound(DateTimeOffset at) => (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
