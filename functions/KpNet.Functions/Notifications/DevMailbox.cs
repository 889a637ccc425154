using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KpNet.Notifications;

/// <summary>
/// Local mode's mail "sender": every mail is kept as an .eml file under the data folder (its text and HTML parts, as a
/// mail client would show them) and listed at /api/dev/mail.
/// </summary>
public sealed partial class DevMailbox(string folder, TimeProvider time) : IMailSender
{
    public sealed record DevMail(string To, string Subject, string Text, string? Html, DateTimeOffset SentAt);

    public string Folder => folder;

    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var sentAt = time.GetUtcNow();
        var eml = new StringBuilder()
            .Append("Message-ID: <").Append(mail.Id).Append("@kpnet.local>\r\n")
            .Append("Date: ").Append(sentAt.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("X-KpNet-Sent-At: ").Append(sentAt.ToString("o", CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("X-KpNet-Kind: ").Append(mail.Kind).Append("\r\n")
            .Append("From: no-reply@kpnet.local\r\n")
            .Append("To: ").Append(mail.To).Append("\r\n")
            .Append("Subject: ").Append(EncodeHeader(mail.Subject)).Append("\r\n")
            .Append("MIME-Version: 1.0\r\n");
        if (mail.Html is null)
        {
            AppendPart(eml, "text/plain", mail.Text);
        }
        else
        {
            var boundary = "kpnet-" + Guid.NewGuid().ToString("N");
            eml.Append("Content-Type: multipart/alternative; boundary=\"").Append(boundary).Append("\"\r\n\r\n");
            AppendPart(eml.Append("--").Append(boundary).Append("\r\n"), "text/plain", mail.Text);
            AppendPart(eml.Append("\r\n--").Append(boundary).Append("\r\n"), "text/html", mail.Html);
            eml.Append("\r\n--").Append(boundary).Append("--\r\n");
        }

        var name = $"{sentAt:yyyyMMdd'T'HHmmssfffffff}-{SafeFileName(mail.Id)}.eml";
        var temporary = Path.Combine(folder, name + ".tmp");
        await File.WriteAllTextAsync(temporary, eml.ToString(), new UTF8Encoding(false), cancellationToken);
        File.Move(temporary, Path.Combine(folder, name), overwrite: true);
    }

    public async Task<IReadOnlyList<DevMail>> ListAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var mails = new List<DevMail>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.eml"))
        {
            mails.Add(Parse(await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken)));
        }

        return mails.OrderBy(m => m.SentAt).ToList();
    }

    private static void AppendPart(StringBuilder eml, string mediaType, string content) =>
        eml.Append("Content-Type: ").Append(mediaType).Append("; charset=utf-8\r\n")
            .Append("Content-Transfer-Encoding: 8bit\r\n")
            .Append("\r\n")
            .Append(content.ReplaceLineEndings("\r\n"));

    private static DevMail Parse(string eml)
    {
        var (headers, body) = SplitPart(eml);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Boundary().Match(headers["Content-Type"]) is { Success: true } boundary)
        {
            // Each part follows "\r\n--boundary"; the last delimiter ends in "--".
            foreach (var part in ("\r\n" + body).Split("\r\n--" + boundary.Groups[1].Value)[1..^1])
            {
                var (partHeaders, content) = SplitPart(part[2..]);
                parts[partHeaders["Content-Type"].Split(';')[0]] = content;
            }
        }
        else
        {
            parts["text/plain"] = body;
        }

        return new DevMail(
            headers["To"],
            DecodeHeader(headers["Subject"]),
            parts["text/plain"].ReplaceLineEndings("\n"),
            parts.GetValueOrDefault("text/html"),
            DateTimeOffset.Parse(headers["X-KpNet-Sent-At"], CultureInfo.InvariantCulture));
    }

    private static (Dictionary<string, string> Headers, string Content) SplitPart(string part)
    {
        var split = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = part[..split].Split("\r\n").Select(line => line.Split(": ", 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        return (headers, part[(split + 4)..]);
    }

    // RFC 2047 keeps non-ASCII subjects valid in a header.
    private static string EncodeHeader(string value) =>
        value.All(char.IsAscii) ? value : "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "?=";

    private static string DecodeHeader(string value) =>
        value.StartsWith("=?UTF-8?B?", StringComparison.Ordinal) && value.EndsWith("?=", StringComparison.Ordinal)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(value[10..^2]))
            : value;

    [GeneratedRegex("^multipart/alternative; boundary=\"([^\"]+)\"$")]
    private static partial Regex Boundary();

    private static string SafeFileName(string id) => string.Concat(id.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));
}
