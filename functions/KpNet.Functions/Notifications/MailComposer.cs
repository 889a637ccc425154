using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using KpNet.Configuration;
using KpNet.Http;
using KpNet.Support;
using Microsoft.Extensions.Options;

namespace KpNet.Notifications;

/// <summary>
/// Fills a <see cref="MailTemplate"/> for one recipient and language; links point at the portal (Portal__BaseUrl). The
/// template's link placeholders are the only links: every other value, in both parts, is shown as inert text.
/// </summary>
public sealed partial class MailComposer(IOptions<PortalOptions> portal, IOptions<SupportOptions> support)
{
    private const char WordJoiner = '\u2060';

    public Uri PortalBaseUrl => portal.Value.Root;

    /// <summary>
    /// An absolute portal link to a screen the portal routes (portal/src/main.ts), e.g. PortalLink("activate", token) →
    /// https://portal/activate#token, or PortalLink("monitoring?id=01AB12345678"). Secrets go in the fragment, which
    /// browsers never send; screen parameters in the query, as the portal's own links carry them.
    /// </summary>
    public string PortalLink(string page, string? fragment = null) =>
        new Uri(PortalBaseUrl, page).AbsoluteUri + (fragment is null ? "" : "#" + Uri.EscapeDataString(fragment));

    /// <summary>The footer of every mail: no-reply, whom to contact instead (<see cref="SupportContact"/>), the service.</summary>
    public string Footer(bool english)
    {
        string?[] lines =
        [
            english ? "This mail was sent from an address that cannot receive replies." : "※本メールは送信専用のアドレスから送信しています。ご返信いただいてもお答えできませんのでご了承ください。",
            support.Value.Contact?.Line(english),
            english ? "Remote Monitoring Service" : "遠隔モニタリングサービス",
        ];
        return "\n" + string.Join('\n', lines.OfType<string>());
    }

    public OutgoingMail Compose(MailTemplate template, string to, bool english, IReadOnlyDictionary<string, string> values, string? mailId = null)
    {
        var subject = Fill(english ? template.SubjectEnglish : template.SubjectJapanese, values, TextValue);
        var body = (english ? template.TextEnglish : template.TextJapanese) + Footer(english);

        return new OutgoingMail(mailId ?? Guid.NewGuid().ToString(), to, subject, Fill(body, values, TextValue), ToHtml(body, values, english), template.Kind);
    }

    private static string Fill(string template, IReadOnlyDictionary<string, string> values, Func<string, string, string> render) =>
        Placeholder().Replace(template, match => values.TryGetValue(match.Groups[1].Value, out var value)
            ? render(match.Groups[1].Value, value)
            : throw new InvalidOperationException($"Mail placeholder {{{{{match.Groups[1].Value}}}}} has no value."));

    private string ToHtml(string body, IReadOnlyDictionary<string, string> values, bool english)
    {
        var html = new StringBuilder($"<!DOCTYPE html><html lang=\"{(english ? "en" : "ja")}\"><head><meta charset=\"utf-8\"></head><body>");
        foreach (var paragraph in Fill(WebUtility.HtmlEncode(body), values, HtmlValue).Split("\n\n"))
        {
            html.Append("<p>").Append(paragraph.Replace("\n", "<br>", StringComparison.Ordinal)).Append("</p>");
        }

        return html.Append("</body></html>").ToString();
    }

    private string TextValue(string placeholder, string value) =>
        MailTemplate.IsLink(placeholder) ? PortalLinkValue(placeholder, value)
        : MailTemplate.IsAddress(placeholder) ? value
        : Inert(value);

    private string HtmlValue(string placeholder, string value)
    {
        var text = WebUtility.HtmlEncode(TextValue(placeholder, value));
        return MailTemplate.IsLink(placeholder) && text.Length > 0 ? $"<a href=\"{text}\">{text}</a>" : text;
    }

    private string PortalLinkValue(string placeholder, string value) =>
        value.Length == 0 || value.StartsWith(PortalBaseUrl.AbsoluteUri, StringComparison.Ordinal)
            ? value
            : throw new InvalidOperationException($"Mail placeholder {{{{{placeholder}}}}} holds a link that is not the portal's.");

    /// <summary>
    /// Mail clients make a link of anything shaped like a web or mail address, even in text nobody linked ("example.com",
    /// "http://…"). A word joiner (U+2060: invisible, and never part of a host name or URL) before each dot between two
    /// labels and between the slashes of "//" leaves the text as typed to the eye while no client finds a host or a URL
    /// in it, the technique mail developers use to stop auto-linking. Characters <see cref="FreeText"/> refuses (in data
    /// stored before that rule) become U+FFFD, so they can break no line or header.
    /// </summary>
    private static string Inert(string value)
    {
        var inert = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if ((c == '.' && i + 1 < value.Length && char.IsLetterOrDigit(value[i + 1])) || (c == '/' && i > 0 && value[i - 1] == '/'))
            {
                inert.Append(WordJoiner);
            }

            inert.Append(FreeText.IsRefused(c) ? '\uFFFD' : c);
        }

        return inert.ToString();
    }

    [GeneratedRegex(@"\{\{([A-Za-z0-9]+)\}\}")]
    private static partial Regex Placeholder();
}
