namespace KpNet.Notifications;

/// <summary>
/// One kind of mail in Japanese and English. Bodies are plain text with {{placeholders}}; the HTML part is derived
/// from the text (paragraphs, links), so the two never disagree. <see cref="MailComposer"/> appends the same footer of the
/// mail's language to every mail, and every subject names the service.
/// Placeholders are named for what they hold: <c>link</c> or <c>…Link</c> a portal link, the only thing either part
/// links; <c>email</c> the recipient's own address (their user ID, copied as it is); anything else is shown as inert text.
/// </summary>
public sealed record MailTemplate(
    string Kind, string SubjectJapanese, string TextJapanese, string SubjectEnglish, string TextEnglish)
{
    public static bool IsLink(string placeholder) => placeholder == "link" || placeholder.EndsWith("Link", StringComparison.Ordinal);

    public static bool IsAddress(string placeholder) => placeholder == "email";
}
