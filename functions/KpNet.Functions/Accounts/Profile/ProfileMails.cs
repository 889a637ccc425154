using KpNet.Notifications;

namespace KpNet.Accounts.Profile;

/// <summary>
/// Mails of 登録情報の変更. The notices name what changed and when, never the new values: whoever reads the old mailbox
/// learns that something changed, not the customer's new address or phone number.
/// </summary>
public static class ProfileMails
{
    public static readonly MailTemplate ProfileChanged = new(
        "profile-changed",
        "【登録情報変更のお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスのご登録情報（{{fields}}）が変更されました（{{changedAt}}）。

        お心当たりのない場合は、パスワードを変更のうえ、運営までお問い合わせください。
        """,
        "[Registration data changed] Remote Monitoring Service",
        """
        Dear {{name}},

        Your registration data of the remote monitoring service ({{fields}}) was changed ({{changedAt}}).

        If this was not you, change your password and contact us.
        """);

    public static readonly MailTemplate EmailChangeConfirmation = new(
        "email-change-confirmation",
        "【メールアドレス変更の確認】遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスのユーザID（メールアドレス）を、このメールの宛先に変更するお申し込みを受け付けました。
        下記の URL にアクセスし、「変更を確定する」を押すと変更が完了します。

        {{link}}

        ※こちらの URL の有効期限は {{expiresAt}} までです。URL は一度だけご利用いただけます。
        ※変更が完了すると、すべての端末でログアウトされます。新しいメールアドレスでログインしてください。

        お心当たりのない場合は、このメールを破棄してください。メールアドレスは変更されません。
        """,
        "[Confirm your new e-mail address] Remote Monitoring Service",
        """
        Dear {{name}},

        We received a request to make this address the user ID (e-mail address) of a remote monitoring service account.
        Open the link below and press "Confirm the change" to complete it.

        {{link}}

        The link is valid until {{expiresAt}} and can be used only once.
        Once the change is complete you are logged out everywhere; log in with the new address.

        If you did not ask for this, ignore this mail; nothing changes.
        """);

    /// <summary>To the new address when another account already has it: the requester learns nothing, the address's owner is told.</summary>
    public static readonly MailTemplate EmailChangeAddressTaken = new(
        "email-change-address-taken",
        "【メールアドレス変更のお知らせ】遠隔モニタリングサービス",
        """
        遠隔モニタリングサービスのユーザID（メールアドレス）を、このメールの宛先に変更するお申し込みがありました。
        このメールアドレスはすでにアカウントのユーザIDとして登録されているため、変更は行われませんでした。

        ほかのアカウントのメールアドレスをこのアドレスにしたい場合は、先にこのアドレスのアカウントのメールアドレスを変更してください。
        お心当たりのない場合は、このメールを破棄してください。
        """,
        "[Change of e-mail address] Remote Monitoring Service",
        """
        Someone asked to make this address the user ID (e-mail address) of a remote monitoring service account.
        This address is already the user ID of an account, so nothing was changed.

        To move this address to another account, first change the address of the account that has it.
        If you did not ask for this, ignore this mail.
        """);

    public static readonly MailTemplate EmailChangeRequested = new(
        "email-change-requested",
        "【メールアドレス変更お申し込みのお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスのユーザID（メールアドレス）の変更のお申し込みを受け付けました（{{changedAt}}）。
        新しいメールアドレス宛てにご案内のメールをお送りしました。そのメールの URL から確定されるまで、ユーザIDはこのメールアドレスのままです。

        お心当たりのない場合は、パスワードを変更のうえ、運営までお問い合わせください。
        """,
        "[Change of e-mail address requested] Remote Monitoring Service",
        """
        Dear {{name}},

        We received a request to change the user ID (e-mail address) of your remote monitoring service account ({{changedAt}}).
        We have written to the new address; until the change is confirmed there, your user ID stays this address.

        If this was not you, change your password and contact us.
        """);

    public static readonly MailTemplate EmailChanged = new(
        "email-changed",
        "【メールアドレス変更完了のお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスのユーザID（メールアドレス）が変更されました（{{changedAt}}）。
        今後のお知らせは新しいメールアドレスにお送りします。このメールアドレスではログインできません。

        お心当たりのない場合は、運営までお問い合わせください。
        """,
        "[E-mail address changed] Remote Monitoring Service",
        """
        Dear {{name}},

        The user ID (e-mail address) of your remote monitoring service account was changed ({{changedAt}}).
        From now on we write to the new address; this address no longer logs in.

        If this was not you, contact us.
        """);

    public static readonly MailTemplate PasswordChanged = new(
        "password-changed-by-user",
        "【パスワード変更完了のお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスのパスワードが変更されました（{{changedAt}}）。
        変更した画面以外のログイン状態はすべて解除されています。ほかの端末では新しいパスワードでログインしてください。

        お心当たりのない場合は、ログイン画面の「ユーザID・パスワードを忘れた場合はこちら」からパスワードを再設定し、運営までお問い合わせください。
        """,
        "[Password changed] Remote Monitoring Service",
        """
        Dear {{name}},

        The password of your remote monitoring service account was changed ({{changedAt}}).
        Every other login has been ended; log in with the new password on your other devices.

        If this was not you, reset your password from "Forgot your user ID or password?" on the login page and contact us.
        """);
}
