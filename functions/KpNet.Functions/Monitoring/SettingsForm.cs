using System.Globalization;
using KpNet.Http;
using KpNet.Http.Forms;

namespace KpNet.Monitoring;

/// <summary>
/// PUT /api/gateways/{id}/settings: {"operationMode","batteryReservePercent","evChargeWindow":{"start","end"}|null,"version"?}.
/// A version, when sent, must still be the stored one (409 otherwise), so an editor never overwrites a change unseen.
/// </summary>
public static class SettingsForm
{
    public static (DesiredSettings? Desired, int? ExpectedVersion) Read(JsonForm form)
    {
        var errors = form.Errors;
        form.Rules("operationMode", new FieldRules { Values = DesiredSettings.OperationModes, Description = "Case is ignored." });
        var mode = form.Text("operationMode")?.ToLowerInvariant();
        if (mode is null)
        {
            errors.TryAdd("operationMode", MessageKey.Required);
        }
        else if (!DesiredSettings.OperationModes.Contains(mode))
        {
            errors.Add("operationMode", MessageKey.SettingsOperationModeInvalid);
        }

        form.Rules("batteryReservePercent", new FieldRules { Minimum = 0, Maximum = 100, Pattern = "^[0-9]+$", Description = "A whole percentage, 0 to 100." });
        var reserveText = form.TextOrNumber("batteryReservePercent");
        int? reserve = null;
        if (reserveText is null)
        {
            errors.TryAdd("batteryReservePercent", MessageKey.Required);
        }
        else if (int.TryParse(reserveText, NumberStyles.None, CultureInfo.InvariantCulture, out var percent) && percent is >= 0 and <= 100)
        {
            reserve = percent;
        }
        else
        {
            errors.Add("batteryReservePercent", MessageKey.SettingsBatteryReserveInvalid);
        }

        form.Rules("evChargeWindow", new FieldRules { Description = "The EV charging window: start and end both, or neither (no window)." });
        var start = Time(form, "evChargeWindow.start");
        var end = Time(form, "evChargeWindow.end");
        if ((start is null) != (end is null) && !errors.Paths.Any(p => p.StartsWith("evChargeWindow.", StringComparison.Ordinal)))
        {
            errors.Add(start is null ? "evChargeWindow.start" : "evChargeWindow.end", MessageKey.Required);
        }

        int? version = null;
        form.Rules("version", new FieldRules { Minimum = 0, Pattern = "^[0-9]+$", Description = "The version last read; a change made meanwhile is answered 409." });
        if (form.TextOrNumber("version") is { } versionText)
        {
            if (int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                version = v;
            }
            else
            {
                errors.Add("version", MessageKey.RegistrationFieldInvalid);
            }
        }

        return errors.Any ? (null, null) : (new DesiredSettings(mode!, reserve!.Value, start, end), version);
    }

    private static string? Time(JsonForm form, string path)
    {
        form.Rules(path, new FieldRules { Pattern = "^[0-9]{1,2}:[0-9]{2}$", Description = "A time of day, H:mm or HH:mm." });
        var text = form.Text(path);
        if (text is null)
        {
            return null;
        }

        if (TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return time.ToString("HH:mm", CultureInfo.InvariantCulture);
        }

        form.Errors.Add(path, MessageKey.SettingsTimeInvalid);
        return null;
    }
}
