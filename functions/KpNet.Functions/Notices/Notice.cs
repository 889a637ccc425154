using System.Text.Json.Serialization;

namespace KpNet.Notices;

/// <summary>Who sees a notice (the manual's 全公開 / システム管理専用, plus one audience per role).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NoticeAudience>))]
public enum NoticeAudience
{
    /// <summary>全公開: everyone, anonymous callers included (the login page shows them).</summary>
    [JsonStringEnumMemberName("all")]
    All,

    [JsonStringEnumMemberName("customers")]
    Customers,

    [JsonStringEnumMemberName("dealers")]
    Dealers,

    /// <summary>システム管理専用: operators only.</summary>
    [JsonStringEnumMemberName("admins")]
    Admins,
}

/// <summary>Text in Japanese, optionally also in English.</summary>
public sealed record LocalizedText(string Ja, string? En)
{
    public string For(bool english) => english && !string.IsNullOrEmpty(En) ? En : Ja;
}

/// <summary>
/// A site notice (サイトからのお知らせ). <see cref="Date"/> is the date shown beside it; the optional publish window
/// limits when it is listed. A retired notice is kept for history but never listed again.
/// </summary>
public sealed record Notice(
    string Id,
    DateOnly Date,
    LocalizedText Title,
    LocalizedText Body,
    NoticeAudience Audience,
    DateTimeOffset? PublishFrom,
    DateTimeOffset? PublishUntil,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? RetiredAt = null,
    string? RetiredBy = null)
{
    public bool IsListedAt(DateTimeOffset now) =>
        RetiredAt is null && (PublishFrom is null || PublishFrom <= now) && (PublishUntil is null || now < PublishUntil);
}
