using KpNet.Notifications;

namespace KpNet.Accounts.Dealers;

/// <summary>Dealer account mails, worded after the manuals' notices.</summary>
public static class DealerMails
{
    public static readonly MailTemplate Registered = new(
        "dealer-registered",
        "【販売店登録完了のお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスの販売店様のご登録が完了しました。

        販売店ID：{{dealerId}}

        お客様にゲートウェイの保守を任せていただく際は、この販売店IDとご登録の電話番号をお客様にお伝えください。
        お客様が「保守を任せる販売店様の登録」を行うと、そのゲートウェイの状態の確認や設定の変更、お客様のご登録情報の閲覧ができるようになります。

        下記からログインしてご利用ください。
        {{loginLink}}

        """,
        "[Dealer registration complete] Remote Monitoring Service",
        """
        Dear {{name}},

        Your dealer registration for the Remote Monitoring Service is complete.

        Dealer ID: {{dealerId}}

        When a customer wants you to maintain a gateway, give them this dealer ID and your registered phone number.
        Once they link you, you can see the system's status, change its settings and see the customer's registration data.

        Log in here:
        {{loginLink}}

        """);
}
