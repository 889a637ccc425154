namespace KpNet.Http;

/// <summary>
/// The characters no text a user sends may hold, wherever it ends up (other people's mails, screens, table keys):
/// control characters (C0 such as NUL, tab, CR and LF, DEL, C1, and the Unicode line and paragraph separators), which
/// break lines and mail headers, and the bidirectional formatting characters, which make text display in another order
/// than it is stored ("Trojan Source"): the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069, and the
/// invisible marks U+200E, U+200F and U+061C, refused too because they reorder the digits and punctuation around them
/// just as well. Japanese and English names, addresses and sites need none of them. The portal checks the same
/// characters (portal/src/freeText.ts).
/// </summary>
public static class FreeText
{
    public static bool IsAllowed(string text) => !text.Any(IsRefused);

    /// <summary>Multi-line text (a notice's body) may break lines with LF; everything else is as <see cref="IsAllowed"/>.</summary>
    public static bool IsAllowedWithLineBreaks(string text) => !text.Any(c => c != '\n' && IsRefused(c));

    public static bool IsRefused(char c) =>
        char.IsControl(c)
        || c is '\u2028' or '\u2029' or '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
