using KpNet.Notifications;

namespace KpNet.Accounts.Activation;

/// <summary>Registration and activation mails, worded after the manuals' 【アカウント仮登録のお知らせ】.</summary>
public static class RegistrationMails
{
    public static readonly MailTemplate Provisional = new(
        "activation",
        "【アカウント仮登録のお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスのアカウントが作成されました。

        現時点では、まだ仮登録の状態で、本登録はまだ完了しておりません。
        下記の URL にアクセスしてパスワードを登録することにより、本登録が完了します。

        {{link}}

        ※こちらの URL の有効期限は {{expiresAt}}（日本時間）まで有効です。
        有効期限が過ぎた場合は、下記から本登録用 URL の再送をお申し込みください。
        {{resendLink}}

        ログインの際に入力するユーザ ID は、本メールを送信させて頂いている宛先のメールアドレスです。
        パスワードは大文字と小文字を区別しております。ログインの際は正しく入力してください。

        本メールにお心当たりのない場合は、お手数ですが本メールを破棄してください。

        """,
        "[Provisional registration] Remote Monitoring Service",
        """
        Dear {{name}},

        Your Remote Monitoring Service account has been created.

        It is still provisional: registration is not complete yet. Open the link below and set your password to complete it.

        {{link}}

        This link is valid until {{expiresAt}} (Japan time). Once it has expired, you can ask for a new one here:
        {{resendLink}}

        Your user ID for logging in is the address this mail was sent to. Passwords are case-sensitive: please type yours exactly.

        If you did not register, please ignore this mail.

        """);

    public static readonly MailTemplate AlreadyRegistered = new(
        "registration-notice",
        "【アカウント登録についてのお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        このメールアドレスで遠隔モニタリングサービスのアカウント登録のお申し込みがありましたが、このメールアドレスのアカウントはすでに登録されているため、新しいアカウントは作成されませんでした。

        お客様ご自身によるお申し込みの場合は、登録済みのアカウントでログインしてください。
        {{loginLink}}

        パスワードをお忘れの場合は、下記からパスワードを再設定してください。
        {{passwordResetLink}}

        本登録がお済みでない場合は、下記から本登録用 URL の再送をお申し込みください。
        {{resendLink}}

        お心当たりのない場合は、本メールを破棄してください。アカウントの登録内容は変更されていません。

        """,
        "[About your registration] Remote Monitoring Service",
        """
        Dear {{name}},

        Someone asked to register a Remote Monitoring Service account with this e-mail address. This address already has an account, so no new account was created.

        If it was you, please log in with your existing account:
        {{loginLink}}

        If you have forgotten your password, you can reset it here:
        {{passwordResetLink}}

        If you have not completed your registration yet, you can ask for a new activation link here:
        {{resendLink}}

        If it was not you, please ignore this mail. Your account has not been changed.

        """);

    public static readonly MailTemplate Activated = new(
        "activated",
        "【本登録完了のお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスのアカウントの本登録が完了しました。

        ユーザ ID（メールアドレス）：{{email}}

        下記からログインしてご利用ください。スマホアプリ「マルチV2Xコントローラ」にも同じユーザ ID とパスワードでログインできます。
        {{loginLink}}

        本登録にお心当たりのない場合は、お手数ですが運営までお問い合わせください。

        """,
        "[Registration complete] Remote Monitoring Service",
        """
        Dear {{name}},

        Your Remote Monitoring Service account is now active.

        User ID (e-mail address): {{email}}

        Log in here; the smartphone app uses the same user ID and password:
        {{loginLink}}

        If you did not register, please contact the operator.

        """);
}
