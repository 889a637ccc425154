using KpNet.Http.Forms;

namespace KpNet.Accounts;

/// <summary>
/// 利用規約: the current version and its text. Registration and activation must name the current version, so an
/// agreement is always to the text the user was shown; publishing new terms means a new <see cref="Version"/>.
/// </summary>
public static class TermsOfUse
{
    public const string Version = "2026-01";

    public static string Text(bool english) => english ? English : Japanese;

    public static bool IsCurrent(string? version) => version?.Trim() == Version;

    /// <summary>"termsVersion": the version agreed to, which must be the current one.</summary>
    public static void ReadAgreement(JsonForm form)
    {
        form.Rules("termsVersion", new FieldRules { Values = [Version], Description = "The terms agreed to: the current version (GET /api/terms)." });
        if (!IsCurrent(form.Text("termsVersion")))
        {
            form.Errors.Add("termsVersion", Http.MessageKey.RegistrationTermsNotCurrent);
        }
    }

    private const string Japanese = """
        利用規約

        この利用規約（以下、「本規約」といいます）は、KP-NET運営事務局（以下、「当社」といいます）が提供するサービスである「遠隔モニタリングサービス」（以下、「本サービス」といいます）を使用するためのお客様（以下、「お客様」といいます）と当社の間の法的な合意を定めたものです。

        【利用規約】

        第1条（規約の適用）
        1. 本規約は、本サービスの利用条件を定めるもので、次項により修正・変更した内容を含め、お客様が本サービスを利用する際の一切の行為に適用されます。ただし、当該修正・変更が別の規約により行われる場合はこの限りでなく、当該規約が適用されます。
        2. 当社は、お客様に変更内容を通知することによって、いつでも本規約の内容を変更することができます。変更後の内容は、本規約の変更後、お客様が初めて本サービスを使用した際に、本サービスの画面上に表示されます。なお、お客様が、変更後の本規約を確認後に本サービスを利用された場合は、変更後の本規約の全文の記載内容に同意したものとみなされます。

        第2条（アカウント）
        1. お客様は、ゲートウェイに同梱された「遠隔モニタリングサービス ご登録にあたって」に記載のゲートウェイID・パスワードを用いて、ご自身の情報を正確に登録するものとします。
        2. ユーザID（メールアドレス）およびパスワードは、お客様の責任において管理してください。

        第3条（販売店様による保守）
        お客様が販売店様を保守を任せる販売店様として登録した場合、当該販売店様は登録が解除されるまでの間、当該ゲートウェイの稼働状況の確認、設定の変更およびお客様の登録情報の閲覧を行うことができます。

        第4条（個人情報の取り扱い）
        当社は、お客様の個人情報を「個人情報の取り扱いについて」に従い適切に取り扱います。

        以下の「同意する」ボタンを押していただくことによって、利用者が本規約の内容に同意いただいたものとみなされますので、本規約の内容をお読みいただき、ご理解いただいた上で「同意する」ボタンを押してください。
        """;

    private const string English = """
        Terms of Use

        These Terms of Use ("these Terms") set out the legal agreement between you ("the customer") and the KP-NET operator ("we") for the use of the Remote Monitoring Service ("the Service").

        Article 1 (Application)
        1. These Terms set the conditions of use of the Service and, including any amendment under the next paragraph, apply to everything the customer does when using the Service, unless an amendment is made by separate terms, in which case those terms apply.
        2. We may change these Terms at any time by notifying the customer of the change. The changed Terms are shown on the Service's screens the first time the customer uses the Service after the change; using the Service after reviewing them means agreeing to the changed Terms in full.

        Article 2 (Accounts)
        1. The customer registers their own details accurately, with the gateway ID and password printed on the sheet supplied with the gateway.
        2. The customer is responsible for keeping their user ID (e-mail address) and password safe.

        Article 3 (Maintenance by dealers)
        A dealer the customer entrusts with maintenance can, until the link is removed, see the gateway's status, change its settings and see the customer's registration details.

        Article 4 (Personal information)
        We handle the customer's personal information as described in our privacy policy.

        By pressing "Agree" below you are deemed to have agreed to these Terms; please read and understand them before you do.
        """;
}
