using System.Globalization;
using KpNet.Http;
using KpNet.Http.Forms;

namespace KpNet.Monitoring;

public enum HistoryResolution
{
    FiveMinutes,
    Hour,
    Day,
}

/// <summary>GET /history's query: from/to (ISO-8601; default the last day) and resolution 5m|1h|1d, capped in points.</summary>
public sealed record HistoryQuery(DateTimeOffset From, DateTimeOffset To, HistoryResolution Resolution)
{
    public const int MaxPoints = 1000;

    /// <summary>The span a history may ask about (UTC, end exclusive): far beyond it, default ranges and buckets overflow.</summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Latest = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly FieldRules FromRules = new()
    {
        Format = "date-time",
        Description = $"Start (ISO 8601), a day before `to` unless given; at most {MaxPoints} points from it to `to`.",
    };

    public static readonly FieldRules ToRules = new() { Format = "date-time", Description = "End (ISO 8601, exclusive), now unless given; after `from`." };

    private static readonly Dictionary<string, HistoryResolution> Resolutions = new(StringComparer.Ordinal)
    {
        ["5m"] = HistoryResolution.FiveMinutes,
        ["1h"] = HistoryResolution.Hour,
        ["1d"] = HistoryResolution.Day,
    };

    public static readonly FieldRules ResolutionRules = new() { Values = [.. Resolutions.Keys], Description = "The bucket: 5 minutes, an hour (the default) or a day." };

    public static HistoryQuery? Read(string? from, string? to, string? resolution, DateTimeOffset now, ValidationErrors errors)
    {
        HistoryResolution? parsed = Resolutions.TryGetValue(resolution ?? "1h", out var known) ? known : null;
        if (parsed is null)
        {
            errors.Add("resolution", MessageKey.MonitoringResolutionInvalid);
        }

        var end = Instant(to, "to", errors) ?? now;
        var start = Instant(from, "from", errors) ?? end.AddDays(-1);
        if (errors.Any)
        {
            return null;
        }

        if (end <= start)
        {
            errors.Add("to", MessageKey.MonitoringRangeInvalid);
            return null;
        }

        var query = new HistoryQuery(start, end, parsed!.Value);
        if ((end - start) / query.Step > MaxPoints)
        {
            errors.Add("from", MessageKey.MonitoringTooManyPoints, MaxPoints);
            return null;
        }

        return query;
    }

    public TimeSpan Step => Resolution switch
    {
        HistoryResolution.FiveMinutes => TimeSpan.FromMinutes(5),
        HistoryResolution.Hour => TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(1),
    };

    public string Name => Resolution switch
    {
        HistoryResolution.FiveMinutes => "5m",
        HistoryResolution.Hour => "1h",
        _ => "1d",
    };

    private static DateTimeOffset? Instant(string? value, string path, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            errors.Add(path, MessageKey.MonitoringDateTimeInvalid);
            return null;
        }

        if (instant < Earliest || instant >= Latest)
        {
            errors.Add(path, MessageKey.MonitoringDateTimeOutOfRange,
                Earliest.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Latest.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            return null;
        }

        return instant.ToUniversalTime();
    }
}
