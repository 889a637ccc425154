using System.Globalization;
using KpNet.Accounts.Registration;
using KpNet.Http;

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
        var mode = form.Text("operationMode")?.ToLowerInvariant();
        if (mode is null)
        {
            errors.TryAdd("operationMode", MessageKey.Required);
        }
        else if (!DesiredSettings.OperationModes.Contains(mode))
        {
            errors.Add("operationMode", MessageKey.SettingsOperationModeInvalid);
        }

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

        var start = Time(form, "evChargeWindow.start");
        var end = Time(form, "evChargeWindow.end");
        if ((start is null) != (end is null) && !errors.Paths.Any(p => p.StartsWith("evChargeWindow.", StringComparison.Ordinal)))
        {
            errors.Add(start is null ? "evChargeWindow.start" : "evChargeWindow.end", MessageKey.Required);
        }

        int? version = null;
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
