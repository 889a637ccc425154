using KpNet.Accounts;
using KpNet.Http;
using KpNet.Http.Forms;

namespace KpNet.Accounts.Dealers;

/// <summary>A validated, normalised dealer sign-up (POST /api/dealers): the customer form's rules where the fields overlap.</summary>
public sealed record DealerSignUp(string TermsVersion, string Name, string Email, string Phone, PostalAddress Address, IReadOnlyList<string> StaffEmails)
{
    public const int NameMaxLength = 50;
    public const int MaxStaffEmails = 10;

    public static DealerSignUp? Read(JsonForm form)
    {
        TermsOfUse.ReadAgreement(form);
        var name = CustomerFields.RequiredAsTyped(form, "name", NameMaxLength);
        var email = CustomerFields.Email(form, "email");
        CustomerFields.EmailConfirmation(form, "emailConfirm", email);
        var phone = CustomerFields.Phone(form, "phone");
        var address = CustomerFields.Address(form, "");
        var staffEmails = ReadStaffEmails(form);
        return form.Errors.Any ? null : new DealerSignUp(TermsOfUse.Version, name!, email!, phone!, address!, staffEmails!);
    }

    /// <summary>"staffEmails": 1 to 10 addresses (保守担当者, for fault mails); blanks are dropped, duplicates kept once.</summary>
    public static IReadOnlyList<string>? ReadStaffEmails(JsonForm form)
    {
        form.Rules("staffEmails", new FieldRules
        {
            MinItems = 1,
            Description = $"1 to {MaxStaffEmails} addresses once blank items are dropped and repeated ones kept once.",
        });
        var count = form.ArrayLength("staffEmails") ?? 0;
        var addresses = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var path = $"staffEmails[{i}]";
            if (CustomerFields.OptionalEmail(form, path) is { } address
                && !addresses.Contains(address, StringComparer.OrdinalIgnoreCase))
            {
                addresses.Add(address);
            }
        }

        if (!form.Errors.Paths.Any(p => p.StartsWith("staffEmails", StringComparison.Ordinal)) && addresses.Count is 0 or > MaxStaffEmails)
        {
            form.Errors.Add("staffEmails", MessageKey.DealerStaffEmailsCount);
        }

        return addresses;
    }
}
