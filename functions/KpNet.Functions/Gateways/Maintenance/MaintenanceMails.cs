using KpNet.Notifications;

namespace KpNet.Gateways.Maintenance;

/// <summary>
/// 【保守を任せる販売店様登録のお知らせ】 to the customer and the dealer, and the 解除 notice the manual's screenshot lacks
/// (it reuses the link wording; we say what happened).
/// </summary>
public static class MaintenanceMails
{
    public static readonly MailTemplate LinkedToCustomer = new(
        "maintenance-linked-customer",
        "【保守を任せる販売店様登録のお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        下記のゲートウェイの保守を任せる販売店様を登録しました。

        ゲートウェイID：{{gatewayId}}
        設置先【案件】：{{siteName}}
        販売店様名：{{dealerName}}
        販売店ID：{{dealerId}}

        販売店様はゲートウェイの操作、管理を行えるようになり、お客様の個人情報を閲覧することができるようになります。
        販売店様による閲覧の記録は、管理・登録サイトでご確認いただけます。
        {{portalLink}}

        本メールにお心当たりのない場合は、お手数ですが運営までお問い合わせください。

        """,
        "[Maintenance dealer linked] Remote Monitoring Service",
        """
        Dear {{name}},

        You have asked the following dealer to maintain your gateway.

        Gateway ID: {{gatewayId}}
        Site: {{siteName}}
        Dealer: {{dealerName}}
        Dealer ID: {{dealerId}}

        The dealer can now operate and manage the gateway and see your personal information.
        Every time it does, the view is recorded; you can read the record on the portal:
        {{portalLink}}

        If you did not do this, please contact the operator.

        """);

    public static readonly MailTemplate LinkedToDealer = new(
        "maintenance-linked-dealer",
        "【保守を任せる販売店様登録のお知らせ】遠隔モニタリングサービス",
        """
        {{dealerName}} 様

        お客様から下記のゲートウェイの保守を任されました。

        ゲートウェイID：{{gatewayId}}
        設置先【案件】：{{siteName}}

        販売店様のサイトからゲートウェイの状態の確認、設定の変更、お客様のご登録情報の閲覧ができます。
        お客様の個人情報の閲覧はすべて記録され、お客様が確認できます。
        {{portalLink}}

        """,
        "[Gateway maintenance assigned] Remote Monitoring Service",
        """
        Dear {{dealerName}},

        A customer has asked you to maintain the following gateway.

        Gateway ID: {{gatewayId}}
        Site: {{siteName}}

        On the dealer site you can see its status, change its settings and see the customer's registration data.
        Every view of the customer's personal data is recorded and visible to the customer.
        {{portalLink}}

        """);

    public static readonly MailTemplate UnlinkedToCustomer = new(
        "maintenance-unlinked-customer",
        "【保守を任せる販売店様登録解除のお知らせ】遠隔モニタリングサービス",
        """
        {{name}} 様

        下記のゲートウェイについて、保守を任せる販売店様の登録を解除しました。

        ゲートウェイID：{{gatewayId}}
        設置先【案件】：{{siteName}}
        販売店様名：{{dealerName}}
        販売店ID：{{dealerId}}

        この販売店様は、このゲートウェイの操作、管理およびお客様の個人情報の閲覧ができなくなりました。

        本メールにお心当たりのない場合は、お手数ですが運営までお問い合わせください。

        """,
        "[Maintenance dealer unlinked] Remote Monitoring Service",
        """
        Dear {{name}},

        The following dealer no longer maintains your gateway.

        Gateway ID: {{gatewayId}}
        Site: {{siteName}}
        Dealer: {{dealerName}}
        Dealer ID: {{dealerId}}

        The dealer can no longer operate or manage the gateway or see your personal information.

        If you did not do this, please contact the operator.

        """);

    public static readonly MailTemplate UnlinkedToDealer = new(
        "maintenance-unlinked-dealer",
        "【保守を任せる販売店様登録解除のお知らせ】遠隔モニタリングサービス",
        """
        {{dealerName}} 様

        下記のゲートウェイの保守のご登録が解除されました（{{reason}}）。

        ゲートウェイID：{{gatewayId}}

        このゲートウェイの操作、管理およびお客様のご登録情報の閲覧はできなくなりました。

        """,
        "[Gateway maintenance ended] Remote Monitoring Service",
        """
        Dear {{dealerName}},

        You no longer maintain the following gateway ({{reason}}).

        Gateway ID: {{gatewayId}}

        You can no longer operate or manage it or see the customer's registration data.

        """);
}
