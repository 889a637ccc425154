using System.Globalization;
using KpNet.Notifications;

namespace KpNet.Accounts.Recovery;

/// <summary>Mails of password reset and forgotten ID, worded like the manuals' 【アカウント仮登録のお知らせ】.</summary>
public static class RecoveryMails
{
    public static readonly MailTemplate PasswordReset = new(
        "password-reset",
        "【パスワード再設定のお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスのパスワード再設定のお申し込みを受け付けました。
        下記の URL にアクセスして新しいパスワードを設定してください。

        {{link}}

        ※こちらの URL の有効期限は {{expiresAt}} までです。URL は一度だけご利用いただけます。
        ※パスワードの再設定には、ご登録の電話番号の入力が必要です。

        お心当たりのない場合は、このメールを破棄してください。パスワードは変更されません。
        """,
        "[Password reset] Remote Monitoring Service",
        """
        Dear {{name}},

        We received a request to reset the password of your remote monitoring service account.
        Open the link below to set a new password.

        {{link}}

        The link is valid until {{expiresAt}} and can be used only once.
        You will need the phone number you registered.

        If you did not ask for this, ignore this mail; your password stays unchanged.
        """);

    public static readonly MailTemplate PasswordChanged = new(
        "password-changed",
        "【パスワード変更のお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスのパスワードが変更されました（{{changedAt}}）。
        これまでのログイン状態はすべて解除されています。新しいパスワードでログインしてください。

        {{loginLink}}

        お心当たりのない場合は、ログイン画面の「ユーザID・パスワードを忘れた場合はこちら」からパスワードを再設定し、運営までご連絡ください。
        """,
        "[Password changed] Remote Monitoring Service",
        """
        Dear {{name}},

        The password of your remote monitoring service account was changed ({{changedAt}}).
        You have been logged out everywhere; log in with the new password.

        {{loginLink}}

        If this was not you, reset your password from "Forgot your user ID or password?" on the login page and contact us.
        """);

    public static readonly MailTemplate AccountId = new(
        "account-id",
        "【ユーザIDのお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスのユーザIDのお問い合わせを受け付けました。
        ログインの際に入力するユーザ ID は、本メールを送信させて頂いている宛先のメールアドレスです。

        ユーザID：{{email}}

        パスワードは大文字と小文字を区別しております（ユーザIDのメールアドレスは区別しません）。ログインの際は正しく入力してください。
        パスワードをお忘れの場合は、ログイン画面の「ユーザID・パスワードを忘れた場合はこちら」から再設定してください。

        {{loginLink}}

        お心当たりのない場合は、このメールを破棄してください。
        """,
        "[Your user ID] Remote Monitoring Service",
        """
        Dear {{name}},

        We received a request for your remote monitoring service user ID.
        Your user ID is the address this mail was sent to.

        User ID: {{email}}

        Passwords are case-sensitive (the e-mail address of your user ID is not).
        If you have forgotten your password too, reset it from "Forgot your user ID or password?" on the login page.

        {{loginLink}}

        If you did not ask for this, ignore this mail.
        """);
}
