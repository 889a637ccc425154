using KpNet.Accounts;
using KpNet.Http;
using KpNet.Http.Forms;

namespace KpNet.Registration;

public sealed record SiteInput(string Name, PostalAddress Address);

/// <summary>The gateway and 案件 parts of the customer forms, with the registration form's rules and JSON paths.</summary>
public static class GatewayForms
{
    /// <summary>"site": 設置先【案件】 and 設置先住所, all required.</summary>
    public static SiteInput? Site(JsonForm form)
    {
        var name = CustomerFields.RequiredAsTyped(form, "site.name", CustomerFields.SiteNameMaxLength);
        var address = CustomerFields.Address(form, "site.");
        return name is null || address is null ? null : new SiteInput(name, address);
    }

    /// <summary>"gateway": the ID (normalised) and password (as typed) from the sheet in the box.</summary>
    public static (string? Id, string? Password) Credentials(JsonForm form)
    {
        var id = CustomerRegistration.ReadGatewayId(form, "gateway.id");
        form.Rules("gateway.password", new FieldRules { MaxLength = CustomerRegistration.GatewayPasswordMaxLength, Description = "As printed on the sheet, taken exactly as typed." });
        var password = form.RawText("gateway.password");
        if (password is null && !form.Errors.Paths.Contains("gateway.password"))
        {
            form.Errors.Add("gateway.password", MessageKey.Required);
        }
        else if (password?.Length > CustomerRegistration.GatewayPasswordMaxLength)
        {
            form.Errors.Add("gateway.password", MessageKey.RegistrationTooLong, CustomerRegistration.GatewayPasswordMaxLength);
            password = null;
        }

        return (id, password);
    }

    /// <summary>"gridConnectionDate" (系統連系日) entered or corrected after registration: required here, not after today in Japan.</summary>
    public static DateOnly? GridConnectionDate(JsonForm form, DateOnly todayInJapan)
    {
        var date = CustomerFields.PastDate(form, "gridConnectionDate", todayInJapan);
        if (date is null)
        {
            form.Errors.TryAdd("gridConnectionDate", MessageKey.Required);
        }

        return date;
    }
}
