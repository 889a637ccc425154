using KpNet.Notifications;

namespace KpNet.Telemetry.Alerts;

/// <summary>Fault and recovery mails to the customer and the linked dealers' maintenance staff.</summary>
public static class AlertMails
{
    public static readonly MailTemplate Raised = new(
        "alert-raised",
        "【異常発生のお知らせ】ゲートウェイ {{gatewayId}}（{{code}}）遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスをご利用いただき、ありがとうございます。
        下記のゲートウェイで異常を検知しました。

        ゲートウェイID：{{gatewayId}}
        発生箇所：{{where}}
        コード：{{code}}
        発生日時：{{raisedAt}}（日本時間）
        内容：{{meaning}}

        【ご確認いただきたいこと】
        {{check}}

        現在の状態はモニタリングサイトでご確認いただけます。
        {{link}}

        異常が解消されると、復旧のお知らせをお送りします。

        """,
        "[Alert] Gateway {{gatewayId}} ({{code}}) Remote Monitoring Service",
        """
        Dear {{name}},

        We detected a problem on the gateway below.

        Gateway ID: {{gatewayId}}
        Where: {{where}}
        Code: {{code}}
        Since: {{raisedAt}} (Japan time)
        What it means: {{meaning}}

        What to check:
        {{check}}

        The monitoring site shows the current state:
        {{link}}

        We will send a recovery notice when the problem clears.

        """);

    public static readonly MailTemplate Cleared = new(
        "alert-cleared",
        "【復旧のお知らせ】ゲートウェイ {{gatewayId}}（{{code}}）遠隔モニタリングサービス",
        """
        {{name}} 様

        遠隔モニタリングサービスをご利用いただき、ありがとうございます。
        下記のゲートウェイの異常は解消されました。

        ゲートウェイID：{{gatewayId}}
        発生箇所：{{where}}
        コード：{{code}}
        発生日時：{{raisedAt}}（日本時間）
        復旧日時：{{clearedAt}}（日本時間）
        内容：{{meaning}}

        {{link}}

        """,
        "[Recovered] Gateway {{gatewayId}} ({{code}}) Remote Monitoring Service",
        """
        Dear {{name}},

        The problem on the gateway below has cleared.

        Gateway ID: {{gatewayId}}
        Where: {{where}}
        Code: {{code}}
        Since: {{raisedAt}} (Japan time)
        Cleared: {{clearedAt}} (Japan time)
        What it meant: {{meaning}}

        {{link}}

        """);
}
