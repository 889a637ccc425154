namespace KpNet.Notifications;

/// <summary>
/// One kind of mail in Japanese and English. Bodies are plain text with {{placeholders}}; the HTML part is derived
/// from the text (paragraphs, links), so the two never disagree. Unless <paramref name="StandardFooter"/> is false,
/// <see cref="MailComposer"/> appends the standard no-reply footer of the mail's language after the text.
/// </summary>
public sealed record MailTemplate(
    string Kind, string SubjectJapanese, string TextJapanese, string SubjectEnglish, string TextEnglish, bool StandardFooter = true);
