using System.Text.RegularExpressions;
using KpNet.Configuration;
using KpNet.Notifications;
using KpNet.Support;
using Microsoft.Extensions.Options;

namespace KpNet.Tests.Notifications;

/// <summary>Every mail reads as one service's: its name in every subject, the same footer (with whom to contact) under every text, in both languages.</summary>
public sealed partial class MailTemplateTests
{
    public static TheoryData<string> Kinds => new(MailTemplateCatalogue.All.Select(template => template.Kind));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_mail_names_the_service_in_its_subject_and_ends_with_the_standard_footer(string kind)
    {
        var template = MailTemplateCatalogue.All.Single(t => t.Kind == kind);
        var composer = new MailComposer(
            Options.Create(new PortalOptions { BaseUrl = new Uri("https://portal.example.jp/") }),
            Options.Create(new SupportOptions { Name = "KP-NET サポートセンター", Phone = "0120-000-000", Hours = "平日 9:00〜17:00" }));
        var values = Placeholder().Matches(template.TextJapanese + template.TextEnglish + template.SubjectJapanese + template.SubjectEnglish)
            .Select(match => match.Groups[1].Value).Distinct()
            .ToDictionary(name => name, name => MailTemplate.IsLink(name) ? composer.PortalLink("login") : "値");

        var japanese = composer.Compose(template, "user@example.jp", english: false, values);
        var english = composer.Compose(template, "user@example.jp", english: true, values);

        Assert.EndsWith("遠隔モニタリングサービス", japanese.Subject, StringComparison.Ordinal);
        Assert.Contains("お問い合わせ：KP-NET サポートセンター 電話 0120-000-000（平日 9:00〜17:00）\n遠隔モニタリングサービス", japanese.Text, StringComparison.Ordinal);
        Assert.EndsWith("Remote Monitoring Service", english.Subject, StringComparison.Ordinal);
        Assert.EndsWith(composer.Footer(english: false), japanese.Text, StringComparison.Ordinal);
        Assert.EndsWith(composer.Footer(english: true), english.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void No_mail_says_the_user_id_is_case_sensitive_since_login_ignores_the_case_of_the_address()
    {
        foreach (var template in MailTemplateCatalogue.All)
        {
            Assert.DoesNotMatch("ユーザ ?ID[^。\n]*大文字と小文字を区別しております", template.TextJapanese);
            Assert.DoesNotContain("User IDs and passwords are case-sensitive", template.TextEnglish, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\{\{([A-Za-z0-9]+)\}\}")]
    private static partial Regex Placeholder();
}
