using System.Globalization;

namespace KpNet.Http;

public enum MessageKey
{
    UnknownFunction,
    MalformedInvocation,
    ContentLengthRequired,
    EventHubUnauthorized,
    EventHubBodyTooLarge,
    EventHubMalformedBatch,
    EventHubUnavailable,
    ServiceUnavailable,
    InternalError,
    NotFound,
    ValidationFailed,
    TextCharactersNotAllowed,
    TooManyAttempts,
    UnsupportedContentType,
    CrossSiteRequestRefused,
    Unauthenticated,
    Forbidden,

    // Notices
    NoticeFieldTooLong,
    NoticeDateInvalid,
    NoticeDateTimeInvalid,
    NoticeAudienceInvalid,
    NoticePublishWindowInvalid,

    // Monitoring API, gateway settings and the gateway's own endpoints (Monitoring)
    MonitoringDateTimeInvalid,
    MonitoringDateTimeOutOfRange,
    MonitoringRangeInvalid,
    MonitoringTooManyPoints,
    MonitoringResolutionInvalid,
    SettingsOperationModeInvalid,
    SettingsBatteryReserveInvalid,
    SettingsTimeInvalid,
    SettingsVersionConflict,
    SettingsVersionUnknown,

    // Login, sessions, password reset and forgotten ID (Accounts/Sessions, Accounts/Recovery); the field rules are shared with activation.
    Required,
    PasswordRule,
    PasswordConfirmMismatch,
    PhoneMismatch,
    LoginFailed,
    ResetLinkGone,

    // Changes to one's own registration data, e-mail address and password (Accounts/Profile)
    CurrentPasswordWrong,
    EmailChangeSameAddress,
    EmailChangeLinkGone,
    EmailChangeAddressTaken,
    ProfileChangedMeanwhile,

    // Registration, activation and gateway claims (Registration, Accounts/Activation, Access)
    RegistrationBodyMalformed,
    RegistrationFieldInvalid,
    RegistrationTooLong,
    RegistrationNameCharacters,
    RegistrationKanaCharacters,
    RegistrationEmailInvalid,
    RegistrationEmailConfirmMismatch,
    RegistrationPostalCodeInvalid,
    RegistrationPrefectureInvalid,
    RegistrationPhoneInvalid,
    RegistrationCompanyNameRequired,
    RegistrationDateInvalid,
    RegistrationDateInFuture,
    RegistrationTermsNotCurrent,
    RegistrationGatewayIdInvalid,
    RegistrationGatewayCredentialsWrong,
    GatewayRetired,
    RegistrationGatewayTaken,
    ActivationLinkUnknown,
    ActivationLinkGone,

    // Gateway management, dealers, maintenance links and the audit log (Gateways, Dealers, Audit)
    GatewayNotFound,
    GatewayReplacementSameId,
    GridConnectionDateKpacBOnly,
    DealerGatewayNotMaintained,
    DealerIdInvalid,
    DealerPairWrong,
    DealerAlreadyLinked,
    DealerLimitReached,
    DealerNotLinked,
    DealerStaffEmailsCount,
    AuditUserIdRequired,
    AuditRangeInvalid,

    // The operator's console (Inventory, Operators)
    InventoryEncodingInvalid,
    InventoryHeaderInvalid,
    InventoryFieldCount,
    InventoryGatewayIdInvalid,
    InventoryPasswordLength,
    InventoryModelInvalid,
    InventorySerialInvalid,
    InventoryProductInvalid,
    InventoryDuplicateId,
    InventoryConflictsWithPresent,
    OperatorSearchInvalid,
    AccountLocked,
    SupportUserNotFound,
    SupportAccountNotProvisional,
    SupportClaimNotProvisional,
    SupportCannotLockSelf,
    OperatorGrantNotCustomer,
    OperatorRevokeRefused,
    QueueRequeueRefused,
    DeadLetterReasonInvalid,
}

/// <summary>User-facing text, Japanese first with English beside it; never scattered literals.</summary>
public static class Messages
{
    private static readonly Dictionary<MessageKey, (string Japanese, string English)> Catalogue = new()
    {
        [MessageKey.UnknownFunction] = ("関数「{0}」は存在しません。", "There is no function named '{0}'."),
        [MessageKey.MalformedInvocation] = ("呼び出しデータの形式が正しくありません: {0}", "The invocation payload is malformed: {0}"),
        [MessageKey.ContentLengthRequired] = ("本文のある要求には Content-Length ヘッダーが必要です（Azure Functions のホストは chunked 転送の本文を転送しません）。",
            "A request with a body needs a Content-Length header (the Azure Functions host does not forward a chunked body)."),
        [MessageKey.EventHubUnauthorized] = ("共有アクセス署名が無効か期限切れです。", "The shared access signature is invalid or expired."),
        [MessageKey.EventHubBodyTooLarge] = ("送信データが上限（{0} バイト）を超えています。", "The request body exceeds the {0}-byte limit."),
        [MessageKey.EventHubMalformedBatch] = ("バッチの形式が正しくありません: {0}", "The batch is malformed: {0}"),
        [MessageKey.EventHubUnavailable] = ("イベントを処理できませんでした。しばらくしてから再送してください。", "The events could not be processed; send them again later."),
        [MessageKey.ServiceUnavailable] = ("ただいまサービスを一時的にご利用いただけません。しばらくしてから、もう一度お試しください。", "The service is temporarily unavailable. Please try again in a moment."),
        [MessageKey.InternalError] = ("システムエラーが発生しました。時間をおいて再度お試しいただき、解決しない場合はお問い合わせください。", "A system error occurred. Please try again later, and contact us if it persists."),
        [MessageKey.NotFound] = ("ページが見つかりません。", "Not found."),
        [MessageKey.ValidationFailed] = ("入力内容に誤りがあります。", "Some fields are not valid."),
        [MessageKey.TextCharactersNotAllowed] = ("使用できない文字が含まれています（改行・タブなどの制御文字や、文字の向きを変える記号は使用できません）。",
            "This contains characters that cannot be used (line breaks, tabs and other control characters, or marks that change the text direction)."),
        [MessageKey.TooManyAttempts] = ("試行回数が上限を超えました。しばらくしてから再度お試しください。", "Too many attempts. Please try again later."),
        [MessageKey.UnsupportedContentType] = ("送信データは {0} の形式で送信してください。", "Send the request body as {0}."),
        [MessageKey.CrossSiteRequestRefused] = ("このサイト以外の画面からの操作は受け付けられません。", "Requests from other sites are not accepted."),
        [MessageKey.Unauthenticated] = ("ログインしてください。", "Please log in."),
        [MessageKey.Forbidden] = ("この操作を行う権限がありません。", "You are not allowed to do this."),

        // Notices
        [MessageKey.NoticeFieldTooLong] = ("{0}文字以内で入力してください。", "Enter at most {0} characters."),
        [MessageKey.NoticeDateInvalid] = ("日付は YYYY-MM-DD の形式で入力してください。", "Enter the date as YYYY-MM-DD."),
        [MessageKey.NoticeDateTimeInvalid] = ("日時は ISO 8601 形式（例: 2026-04-01T09:00:00+09:00）で入力してください。", "Enter the time in ISO 8601 format (e.g. 2026-04-01T09:00:00+09:00)."),
        [MessageKey.NoticeAudienceInvalid] = ("公開範囲は all（全公開）、customers、dealers、admins（システム管理専用）のいずれかを指定してください。", "The audience must be all, customers, dealers or admins."),
        [MessageKey.NoticePublishWindowInvalid] = ("掲載終了日時は掲載開始日時より後にしてください。", "The end of publication must be after its start."),

        // Monitoring API, gateway settings and the gateway's own endpoints
        [MessageKey.MonitoringDateTimeInvalid] = ("日時は ISO 8601 形式（例: 2026-04-01T00:00:00Z）で指定してください。", "Give the time in ISO 8601 format (e.g. 2026-04-01T00:00:00Z)."),
        [MessageKey.MonitoringDateTimeOutOfRange] = ("日時は {0} から {1} までの範囲（UTC）で指定してください。", "Give a time from {0} to {1} (UTC)."),
        [MessageKey.MonitoringRangeInvalid] = ("終了日時は開始日時より後にしてください。", "The end must be after the start."),
        [MessageKey.MonitoringTooManyPoints] = ("期間が長すぎます。この集計単位では {0} 件までです。期間を短くするか、集計単位を大きくしてください。",
            "The period is too long: at most {0} points at this resolution. Shorten it or choose a coarser resolution."),
        [MessageKey.MonitoringResolutionInvalid] = ("集計単位は 5m、1h、1d のいずれかを指定してください。", "The resolution must be 5m, 1h or 1d."),
        [MessageKey.SettingsOperationModeInvalid] = ("運転モードは self-consumption（自家消費）、economy（経済）、backup（停電対策）のいずれかを指定してください。",
            "The operation mode must be self-consumption, economy or backup."),
        [MessageKey.SettingsBatteryReserveInvalid] = ("蓄電池の残量設定は 0 から 100 までの整数で指定してください。", "The battery reserve must be a whole number from 0 to 100."),
        [MessageKey.SettingsTimeInvalid] = ("時刻は HH:mm の形式（例: 22:00）で指定してください。", "Give the time as HH:mm (e.g. 22:00)."),
        [MessageKey.SettingsVersionConflict] = ("設定はほかの方によって変更されています。画面を更新してから、もう一度変更してください。",
            "Someone else changed the settings. Reload them and make your change again."),
        [MessageKey.SettingsVersionUnknown] = ("この設定のバージョンはまだ配信されていません。", "This settings version was never issued."),

        // Login, sessions, password reset and forgotten ID.
        [MessageKey.Required] = ("入力してください。", "This field is required."),
        [MessageKey.PasswordRule] = ("パスワードは8文字以上16文字以内かつ、英小文字、英大文字、数字をすべて含んだものをご入力ください。",
            "The password must be 8 to 16 characters long and contain lower-case letters, upper-case letters and digits."),
        [MessageKey.PasswordConfirmMismatch] = ("パスワードとパスワード(確認用)が一致しません。", "The password and its confirmation do not match."),
        [MessageKey.PhoneMismatch] = ("電話番号がご登録の電話番号と一致しません。", "The phone number does not match the registered one."),
        [MessageKey.LoginFailed] = ("ユーザIDまたはパスワードが正しくありません。", "The user ID or password is incorrect."),
        [MessageKey.ResetLinkGone] = ("このURLは有効期限が切れているか、すでに使用されています。お手数ですが、もう一度お手続きください。",
            "This link has expired or has already been used. Please request a new one."),

        // Changes to one's own registration data
        [MessageKey.CurrentPasswordWrong] = ("現在のパスワードが正しくありません。変更は行われていません。", "The current password is incorrect. Nothing was changed."),
        [MessageKey.EmailChangeSameAddress] = ("現在ご登録のメールアドレスと同じです。新しいメールアドレスを入力してください。",
            "This is the address you already use. Enter the new address."),
        [MessageKey.EmailChangeLinkGone] = ("このURLは有効期限が切れているか、すでに使用されています。お手数ですが、メールアドレスの変更をもう一度お申し込みください。",
            "This link has expired or has already been used. Please ask for the change of address again."),
        [MessageKey.EmailChangeAddressTaken] = ("このメールアドレスはほかのアカウントで使われているため、変更できません。メールアドレスは変更されていません。",
            "Another account uses this address, so it cannot be yours. Your address was not changed."),
        [MessageKey.ProfileChangedMeanwhile] = ("登録情報はこの画面を開いた後にほかの画面で変更されています。変更は行われていません。最新の内容を読み込んでから、もう一度変更してください。",
            "Your registration data was changed elsewhere after this screen was opened. Nothing was changed. Load the latest data and make your change again."),

        // Registration, activation and gateway claims
        [MessageKey.RegistrationBodyMalformed] = ("送信内容の形式が正しくありません。", "The request body is not a JSON object."),
        [MessageKey.RegistrationFieldInvalid] = ("入力内容が正しくありません。", "This value is not valid."),
        [MessageKey.RegistrationTooLong] = ("{0}文字以内で入力してください。", "Enter at most {0} characters."),
        [MessageKey.RegistrationNameCharacters] = ("全角の文字で入力してください（数字・記号・空白は使用できません）。", "Use letters only (no digits, symbols or spaces)."),
        [MessageKey.RegistrationKanaCharacters] = ("全角カタカナで入力してください。", "Use katakana only."),
        [MessageKey.RegistrationEmailInvalid] = ("メールアドレスの形式が正しくありません。", "This is not a valid e-mail address."),
        [MessageKey.RegistrationEmailConfirmMismatch] = ("メールアドレスとメールアドレス(確認用)が一致しません。", "The e-mail address and its confirmation do not match."),
        [MessageKey.RegistrationPostalCodeInvalid] = ("郵便番号は3桁と4桁の数字で入力してください（例：600-8530）。", "Enter a postal code of 3 + 4 digits (e.g. 600-8530)."),
        [MessageKey.RegistrationPrefectureInvalid] = ("都道府県を選択してください。", "Choose one of the 47 prefectures."),
        [MessageKey.RegistrationPhoneInvalid] = ("電話番号の形式が正しくありません（例：075-344-8160、090-1234-5678）。", "Enter a Japanese phone number (e.g. 075-344-8160 or 090-1234-5678)."),
        [MessageKey.RegistrationCompanyNameRequired] = ("部署名を入力する場合は法人名も入力してください。", "Enter the company name as well when you enter a department."),
        [MessageKey.RegistrationDateInvalid] = ("日付は YYYY-MM-DD の形式で入力してください。", "Enter the date as YYYY-MM-DD."),
        [MessageKey.RegistrationDateInFuture] = ("未来の日付は入力できません。", "The date cannot be in the future."),
        [MessageKey.RegistrationTermsNotCurrent] = ("最新の利用規約をお読みいただき、同意してください。", "Please read and agree to the current terms of use."),
        [MessageKey.RegistrationGatewayIdInvalid] = ("ゲートウェイIDは英数字12文字で入力してください。", "A gateway ID has 12 letters and digits."),
        [MessageKey.GatewayRetired] = ("このゲートウェイは交換または廃棄されたため、データを送信できません。", "This gateway was replaced or disposed of and can no longer send data."),
        [MessageKey.RegistrationGatewayCredentialsWrong] = ("ゲートウェイIDまたはゲートウェイパスワードが正しくありません。「ご登録にあたって」に記載された文字列を入力してください。",
            "The gateway ID or gateway password is incorrect. Enter them exactly as printed on the registration sheet."),
        [MessageKey.RegistrationGatewayTaken] = ("このゲートウェイはすでに登録されています。", "This gateway is already registered."),
        [MessageKey.ActivationLinkUnknown] = ("このURLは無効です。メールに記載されたURLをご確認ください。", "This link is not valid. Please check the link in the mail."),
        [MessageKey.ActivationLinkGone] = ("このURLは有効期限が切れているか、すでに使用されています。本登録用URLの再送をお申し込みください。",
            "This link has expired or has already been used. Please request a new one."),

        // Gateway management, dealers, maintenance links and the audit log
        [MessageKey.GatewayNotFound] = ("ゲートウェイが見つかりません。", "Gateway not found."),
        [MessageKey.DealerGatewayNotMaintained] = ("このゲートウェイの保守のご登録はありません。お客様による解除、またはゲートウェイの廃棄により、保守のご登録が終了した可能性があります。",
            "You do not maintain this gateway. The customer may have ended the maintenance link or disposed of the gateway."),
        [MessageKey.GridConnectionDateKpacBOnly] = ("系統連系日は KPAC-B シリーズのゲートウェイにのみ登録できます（保証期間の延長は KPAC-B シリーズが対象です）。",
            "A grid-connection date applies to KPAC-B gateways only (the warranty extension is a KPAC-B offer)."),
        [MessageKey.GatewayReplacementSameId] = ("交換前と同じゲートウェイIDは指定できません。新しいゲートウェイの「ご登録にあたって」に記載されたIDを入力してください。",
            "Enter the ID of the new gateway, as printed on its registration sheet, not the one being replaced."),
        [MessageKey.DealerIdInvalid] = ("販売店IDは数字で入力してください。", "A dealer ID is a number."),
        [MessageKey.DealerPairWrong] = ("販売店IDまたは電話番号が正しくありません。販売店様にご確認ください。", "The dealer ID or phone number is incorrect. Please check them with the dealer."),
        [MessageKey.DealerAlreadyLinked] = ("この販売店様にはすでにこのゲートウェイの保守を任せています。", "This dealer already maintains this gateway."),
        [MessageKey.DealerLimitReached] = ("保守を任せられる販売店様は1台のゲートウェイにつき5社までです。", "A gateway can be maintained by at most 5 dealers."),
        [MessageKey.DealerNotLinked] = ("この販売店様はこのゲートウェイの保守を任されていません。", "This dealer does not maintain this gateway."),
        [MessageKey.DealerStaffEmailsCount] = ("保守担当者のメールアドレスを1件以上10件以内で入力してください。", "Enter 1 to 10 maintenance staff e-mail addresses."),
        [MessageKey.AuditUserIdRequired] = ("お客様 (メールアドレスまたはユーザーID)、販売店ID、運営のメールアドレスのいずれか1つを指定してください。",
            "Give exactly one of: a customer (e-mail address or user ID), a dealer ID, an operator's e-mail address."),
        [MessageKey.AuditRangeInvalid] = ("終了日は開始日以降の日付にしてください。", "The end date must not be before the start date."),

        // The operator's console
        [MessageKey.InventoryEncodingInvalid] = ("ファイルを読み取れません。文字コードを UTF-8 または Shift_JIS にして保存してください。",
            "The file cannot be read. Save it as UTF-8 or Shift_JIS."),
        [MessageKey.InventoryHeaderInvalid] = ("1行目は「{0}」にしてください。", "The first line must be \"{0}\"."),
        [MessageKey.InventoryFieldCount] = ("項目は5つ必要ですが、{0}つあります。", "Expected 5 fields, found {0}."),
        [MessageKey.InventoryGatewayIdInvalid] = ("ゲートウェイID「{0}」は英数字12文字ではありません。", "Gateway ID \"{0}\" is not 12 letters and digits."),
        [MessageKey.InventoryPasswordLength] = ("パスワードは8文字以上64文字以内にしてください。", "The password must be 8 to 64 characters."),
        [MessageKey.InventoryModelInvalid] = ("形式を32文字以内で入力してください（制御文字は使用できません）。", "Give the model in at most 32 characters, without control characters."),
        [MessageKey.InventorySerialInvalid] = ("製造番号は英数字と「-」「.」「_」の32文字以内にしてください。", "The serial number must be at most 32 letters, digits, '-', '.' or '_'."),
        [MessageKey.InventoryProductInvalid] = ("製品「{0}」は multi-v2x か kpac-b にしてください。", "Product \"{0}\" is not multi-v2x or kpac-b."),
        [MessageKey.InventoryDuplicateId] = ("このゲートウェイIDは{0}行目にもあります。", "This gateway ID is also on line {0}."),
        [MessageKey.InventoryConflictsWithPresent] = ("このゲートウェイIDは別の内容（パスワード・型式・製造番号・製品のいずれかが異なる）で在庫に登録済みのため、取り込みませんでした。同じIDの行が先に取り込んだ部分やファイルにないかご確認ください。",
            "This gateway ID is already in the inventory with other data (a different password, model, serial or product), so the line was not imported. Check whether a part or file imported before has a line with the same ID."),
        [MessageKey.AccountLocked] = ("このアカウントは現在ご利用いただけません。お問い合わせ窓口までご連絡ください。",
            "This account is currently locked. Please contact us."),
        [MessageKey.SupportUserNotFound] = ("アカウントが見つかりません。", "Account not found."),
        [MessageKey.SupportAccountNotProvisional] = ("このアカウントは仮登録ではないため、本登録用URLは送れません。",
            "This account is not provisional, so no activation link can be sent."),
        [MessageKey.SupportClaimNotProvisional] = ("このゲートウェイは仮登録ではないため、解除できません。", "This gateway's registration is not provisional, so it cannot be released."),
        [MessageKey.SupportCannotLockSelf] = ("ご自身のアカウントはロックできません。", "You cannot lock your own account."),
        [MessageKey.OperatorGrantNotCustomer] = ("運営にできるのは、本登録済みのお客様アカウントだけです。", "Only an active customer account can be made an operator."),
        [MessageKey.OperatorRevokeRefused] = ("ご自身と最初の運営アカウントは、運営から外せません。", "Neither your own account nor the first operator can stop being an operator."),
        [MessageKey.QueueRequeueRefused] = ("再送できるのはメールのキューのメッセージだけです。", "Only mail messages can be sent again."),
        [MessageKey.DeadLetterReasonInvalid] = ("理由を指定してください (例: MalformedJson、OutOfRange)。", "Give a reason such as MalformedJson or OutOfRange."),
        [MessageKey.OperatorSearchInvalid] = ("ゲートウェイID、製造番号、メールアドレスまたは電話番号を入力してください。",
            "Enter a gateway ID, a serial number, an e-mail address or a phone number."),
    };

    public static string Get(MessageKey key, bool english, params object[] args)
    {
        var (japanese, englishText) = Catalogue[key];
        return string.Format(CultureInfo.InvariantCulture, english ? englishText : japanese, args);
    }

    public static bool PrefersEnglish(HttpContext context)
    {
        var languages = context.Request.GetTypedHeaders().AcceptLanguage;
        var best = languages.OrderByDescending(l => l.Quality ?? 1).FirstOrDefault();
        return best is not null && best.Value.Value is { } tag && tag.StartsWith("en", StringComparison.OrdinalIgnoreCase);
    }
}
