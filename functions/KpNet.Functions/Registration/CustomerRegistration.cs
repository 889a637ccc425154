using KpNet.Accounts;
using KpNet.Http;
using KpNet.Http.Forms;

namespace KpNet.Registration;

/// <summary>A validated, normalised customer registration (POST /api/accounts), without the gateway's password, which is only checked.</summary>
public sealed record CustomerRegistration(
    string TermsVersion,
    PersonName Name,
    PersonName Kana,
    string Email,
    PostalAddress Address,
    string Phone,
    Company? Company,
    string GatewayId,
    string SiteName,
    PostalAddress SiteAddress,
    DateOnly? GridConnectionDate)
{
    public const int GatewayPasswordMaxLength = 64;

    /// <summary>Every field checked; null with <paramref name="form"/>'s errors naming each rejected JSON path.</summary>
    public static (CustomerRegistration Registration, string GatewayPassword)? Read(JsonForm form, DateOnly todayInJapan)
    {
        TermsOfUse.ReadAgreement(form);
        var family = CustomerFields.PersonName(form, "name.family");
        var given = CustomerFields.PersonName(form, "name.given");
        var kanaFamily = CustomerFields.Kana(form, "kana.family");
        var kanaGiven = CustomerFields.Kana(form, "kana.given");
        var email = CustomerFields.Email(form, "email");
        CustomerFields.EmailConfirmation(form, "emailConfirm", email);
        var address = CustomerFields.Address(form, "");
        var phone = CustomerFields.Phone(form, "phone");
        var company = CustomerFields.Company(form, "company.");
        var (gatewayId, gatewayPassword) = GatewayForms.Credentials(form);
        var siteName = CustomerFields.RequiredAsTyped(form, "site.name", CustomerFields.SiteNameMaxLength);
        var siteAddress = CustomerFields.Address(form, "site.");
        var gridConnectionDate = CustomerFields.PastDate(form, "gridConnectionDate", todayInJapan);

        return form.Errors.Any
            ? null
            : (new CustomerRegistration(TermsOfUse.Version, new PersonName(family!, given!), new PersonName(kanaFamily!, kanaGiven!), email!, address!, phone!,
                company, gatewayId!, siteName!, siteAddress!, gridConnectionDate), gatewayPassword!);
    }

    /// <summary>IDs are normalised (NFKC, trim, upper-case) before they are checked or looked up.</summary>
    public static string? ReadGatewayId(JsonForm form, string path)
    {
        form.Rules(path, Inventory.GatewayId.Field);
        var value = CustomerFields.Required(form, path, maxLength: 40);
        if (value is null)
        {
            return null;
        }

        var id = Inventory.GatewayId.Normalize(value);
        if (!Inventory.GatewayId.IsValid(id))
        {
            form.Errors.Add(path, MessageKey.RegistrationGatewayIdInvalid);
            return null;
        }

        return id;
    }
}
