using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using KpNet.Hosting;

namespace KpNet.Notifications;

/// <summary>Fills a <see cref="MailTemplate"/> for one recipient and language; links point at the portal (Portal__BaseUrl).</summary>
public sealed partial class MailComposer(IConfiguration configuration)
{
    public Uri PortalBaseUrl => new((configuration[AppSettings.PortalBaseUrl.Key] ?? "http://127.0.0.1:7071").TrimEnd('/') + "/");

    /// <summary>An absolute portal link, e.g. PortalLink("activate", token) → https://portal/activate#token.</summary>
    public string PortalLink(string page, string? fragment = null) =>
        new Uri(PortalBaseUrl, page).AbsoluteUri + (fragment is null ? "" : "#" + Uri.EscapeDataString(fragment));

    /// <summary>The no-reply footer appended to a template's Japanese text unless the template opts out (<see cref="MailTemplate.StandardFooter"/>).</summary>
    public const string FooterJapanese = "\n" + """
        ※本メールは送信専用のアドレスから送信しています。ご返信いただいてもお答えできませんのでご了承ください。
        遠隔モニタリングサービス
        """;

    /// <summary>The English counterpart of <see cref="FooterJapanese"/>.</summary>
    public const string FooterEnglish = "\n" + """
        This mail was sent from an address that cannot receive replies.
        Remote Monitoring Service
        """;

    public OutgoingMail Compose(MailTemplate template, string to, bool english, IReadOnlyDictionary<string, string> values, string? mailId = null)
    {
        var subject = Fill(english ? template.SubjectEnglish : template.SubjectJapanese, values, html: false);
        var body = english ? template.TextEnglish : template.TextJapanese;
        if (template.StandardFooter)
            body += english ? FooterEnglish : FooterJapanese;

        var text = Fill(body, values, html: false);
        return new OutgoingMail(mailId ?? Guid.NewGuid().ToString(), to, subject, text, ToHtml(text, english), template.Kind);
    }

    private static string Fill(string template, IReadOnlyDictionary<string, string> values, bool html) =>
        Placeholder().Replace(template, match => values.TryGetValue(match.Groups[1].Value, out var value)
            ? (html ? WebUtility.HtmlEncode(value) : value)
            : throw new InvalidOperationException($"Mail placeholder {{{{{match.Groups[1].Value}}}}} has no value."));

    private static string ToHtml(string text, bool english)
    {
        var html = new StringBuilder($"<!DOCTYPE html><html lang=\"{(english ? "en" : "ja")}\"><head><meta charset=\"utf-8\"></head><body>");
        foreach (var paragraph in text.Split("\n\n"))
        {
            var encoded = WebUtility.HtmlEncode(paragraph);
            encoded = Link().Replace(encoded, m => $"<a href=\"{m.Value}\">{m.Value}</a>");
            html.Append("<p>").Append(encoded.Replace("\n", "<br>", StringComparison.Ordinal)).Append("</p>");
        }

        return html.Append("</body></html>").ToString();
    }

    [GeneratedRegex(@"\{\{([A-Za-z0-9]+)\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex Link();
}
