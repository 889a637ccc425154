namespace KpNet.Telemetry.Alerts;

public enum AlertSeverity
{
    Warning,
    Critical,
}

/// <summary>What an alert code means and what to check, in Japanese and English, for the mails and the portal.</summary>
public sealed record AlertDescription(AlertSeverity Severity, string MeaningJapanese, string CheckJapanese, string MeaningEnglish, string CheckEnglish)
{
    public string Meaning(bool english) => english ? MeaningEnglish : MeaningJapanese;

    public string Check(bool english) => english ? CheckEnglish : CheckJapanese;
}

/// <summary>
/// The alert codes we know: the PCS unit fault codes gateways report, and our own gateway-level codes (battery
/// temperature and charge, loss of communication). An unknown unit code still raises an alert, with a generic text.
/// </summary>
public static class AlertCatalogue
{
    public const string Offline = "offline";
    public const string BatteryTemperatureHigh = "battery-temp-high";
    public const string BatteryTemperatureLow = "battery-temp-low";
    public const string BatteryDepleted = "battery-soc-low";

    /// <summary>A unit that reports status "fault" without a code.</summary>
    public const string UnitFault = "unit-fault";

    private static readonly Dictionary<string, AlertDescription> Known = new(StringComparer.Ordinal)
    {
        ["E101"] = new(AlertSeverity.Critical,
            "系統過電圧（系統側の電圧が上限を超えたため、パワーコンディショナが運転を停止しました）",
            "系統電圧の状態と連系設定（電圧上昇抑制の整定値）をご確認ください。頻発する場合は電力会社への相談が必要です。",
            "Grid over-voltage: the grid voltage exceeded its upper limit and the power conditioner stopped.",
            "Check the grid voltage and the grid-connection settings (voltage-rise suppression). If it recurs, consult the utility."),
        ["E203"] = new(AlertSeverity.Critical,
            "太陽電池入力異常（太陽電池からの入力電圧・電流が異常です）",
            "太陽電池モジュールの配線、接続箱のブレーカー、地絡の有無をご確認ください。",
            "PV input fault: the voltage or current from the PV array is abnormal.",
            "Check the PV module wiring, the junction box breakers and for ground faults."),
        ["E305"] = new(AlertSeverity.Critical,
            "蓄電池ユニット通信異常（パワーコンディショナと蓄電池ユニットの通信が途絶えています）",
            "蓄電池ユニットの電源、通信ケーブルの接続をご確認ください。",
            "Battery unit communication fault: the power conditioner cannot reach the battery unit.",
            "Check the battery unit's power and its communication cable."),
        ["E411"] = new(AlertSeverity.Critical,
            "パワーコンディショナ内部温度異常（内部温度が上限を超えました）",
            "設置場所の通風、吸排気口のふさがり、周囲温度をご確認ください。",
            "Power conditioner over-temperature: its internal temperature exceeded the limit.",
            "Check the ventilation of the installation site, blocked air vents and the ambient temperature."),
        [UnitFault] = new(AlertSeverity.Critical,
            "パワーコンディショナが異常停止しています（エラーコードの通知なし）",
            "パワーコンディショナの表示部でエラー内容をご確認ください。",
            "The power conditioner stopped on a fault (no error code reported).",
            "Read the error on the power conditioner's display."),
        [BatteryTemperatureHigh] = new(AlertSeverity.Critical,
            $"蓄電池温度が高すぎます（{AlertRules.MaxBatteryTempC:0}℃超）",
            "蓄電池の設置場所の通風・直射日光・周囲温度をご確認ください。",
            $"The battery is too hot (above {AlertRules.MaxBatteryTempC:0} °C).",
            "Check the battery's ventilation, direct sunlight and the ambient temperature."),
        [BatteryTemperatureLow] = new(AlertSeverity.Warning,
            $"蓄電池温度が低すぎます（{AlertRules.MinBatteryTempC:0}℃未満）",
            "蓄電池の設置場所の周囲温度をご確認ください。低温時は充放電が制限されます。",
            $"The battery is too cold (below {AlertRules.MinBatteryTempC:0} °C).",
            "Check the ambient temperature at the battery. Charging and discharging are limited while it is cold."),
        [BatteryDepleted] = new(AlertSeverity.Warning,
            $"蓄電池の残量が {AlertRules.MinBatterySoc:0}% 未満のまま放電しています（過放電のおそれ）",
            "運転モードと蓄電池の残量設定（放電下限）をご確認ください。",
            $"The battery keeps discharging below {AlertRules.MinBatterySoc:0} % charge (risk of over-discharge).",
            "Check the operation mode and the battery reserve setting."),
        [Offline] = new(AlertSeverity.Warning,
            $"ゲートウェイからの通信が {AlertRules.OfflineAfter.TotalMinutes:0} 分以上途絶えています",
            "ゲートウェイの電源、LAN ケーブル、ルーターとインターネット回線の状態をご確認ください。",
            $"The gateway has not communicated for {AlertRules.OfflineAfter.TotalMinutes:0} minutes or more.",
            "Check the gateway's power, its LAN cable, the router and the internet connection."),
    };

    private static readonly AlertDescription UnknownUnitCode = new(AlertSeverity.Critical,
        "パワーコンディショナがエラーコードを通知しました",
        "取扱説明書のエラーコード一覧で内容をご確認のうえ、販売店様にご相談ください。",
        "The power conditioner reported an error code.",
        "Look the code up in the instruction manual's error list and consult your dealer.");

    public static AlertDescription Describe(string code) => Known.GetValueOrDefault(code, UnknownUnitCode);

    /// <summary>
    /// The code as a metric attribute: a code we know, or "other" for any code a gateway made up, so that gateways
    /// cannot multiply the metric's series.
    /// </summary>
    public static string MetricCode(string code) => Known.ContainsKey(code) ? code : "other";
}
