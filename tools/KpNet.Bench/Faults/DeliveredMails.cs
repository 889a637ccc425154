using System.Text.RegularExpressions;

namespace KpNet.Bench.Faults;

/// <summary>One mail in the local dev mailbox (an .eml file per delivery): its mail id, recipient, kind and the token of its link.</summary>
public sealed partial record DeliveredMail(string Id, string To, string Kind, string? Token)
{
    /// <summary>
    /// Every delivery, oldest first (the file names start with the time of sending). The files carry what the
    /// /api/dev/mail listing leaves out: the mail id (Message-ID), by which a second delivery of one mail is told from
    /// a second mail, and the kind.
    /// </summary>
    public static IReadOnlyList<DeliveredMail> ReadAll(string folder) => !Directory.Exists(folder) ? [] :
        Directory.GetFiles(folder, "*.eml").Order(StringComparer.Ordinal).Select(path => Parse(File.ReadAllText(path))).ToList();

    public static DeliveredMail Parse(string eml)
    {
        var headers = eml[..eml.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n")
            .Select(line => line.Split(": ", 2)).Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        var link = Link().Match(eml);
        return new DeliveredMail(headers["Message-ID"], headers["To"], headers["X-KpNet-Kind"], link.Success ? link.Groups[1].Value : null);
    }

    [GeneratedRegex(@"/(?:activate|reset-password)#([A-Za-z0-9_-]{43})")]
    private static partial Regex Link();
}
