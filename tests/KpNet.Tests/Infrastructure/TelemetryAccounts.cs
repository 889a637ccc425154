using System.Globalization;
using System.Text.RegularExpressions;

namespace KpNet.Tests.Infrastructure;

/// <summary>
/// The telemetry storage accounts that go with an emulator account: its name with "t0", "t1", … (devstoreaccount1t0 for
/// ./run.sh's), the same key, the same endpoints. Shared by the tests' Azurite and the bench's (tools/KpNet.Bench links
/// this file).
/// </summary>
public static partial class TelemetryAccounts
{
    /// <summary>The account a connection string names (AccountName=…), if any.</summary>
    public static string? AccountIn(string connectionString) =>
        AccountName().Match(connectionString) is { Success: true } match ? match.Groups[1].Value : null;

    public static IEnumerable<string> Names(string account, int count) =>
        Enumerable.Range(0, count).Select(i => account + "t" + i.ToString(CultureInfo.InvariantCulture));

    /// <summary>The connection strings of the <paramref name="count"/> telemetry accounts of the account <paramref name="connectionString"/> names; none when it names none.</summary>
    public static IReadOnlyList<string> ConnectionStrings(string connectionString, int count)
    {
        if (AccountIn(connectionString) is not { } account)
        {
            return [];
        }

        return [.. Names(account, count).Select(shard => connectionString
            .Replace($"AccountName={account};", $"AccountName={shard};", StringComparison.Ordinal)
            .Replace($"/{account};", $"/{shard};", StringComparison.Ordinal))];
    }

    /// <summary>The app's settings for them, as configuration keys (":") or environment variables ("__").</summary>
    public static IEnumerable<KeyValuePair<string, string>> Settings(string connectionString, int count, string separator = ":") =>
        ConnectionStrings(connectionString, count).Select((shard, i) => KeyValuePair.Create(
            string.Join(separator, "TelemetryStorage", "Shards", i.ToString(CultureInfo.InvariantCulture), "connectionString"), shard));

    [GeneratedRegex("AccountName=([^;]+);")]
    private static partial Regex AccountName();
}
