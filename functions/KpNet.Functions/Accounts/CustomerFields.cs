using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KpNet.Http;
using KpNet.Http.Forms;

namespace KpNet.Accounts;

/// <summary>
/// The manuals' field rules for customer (and dealer) forms. Everything is NFKC-normalised and trimmed first
/// (<see cref="JsonForm"/>), so full-width digits, hyphens and letters are accepted and stored half-width.
/// </summary>
public static partial class CustomerFields
{
    public const int NameMaxLength = 14;
    public const int KanaMaxLength = 30;
    public const int EmailMaxLength = 254;
    public const int CityMaxLength = 50;
    public const int StreetMaxLength = 100;
    public const int CompanyMaxLength = 50;
    public const int SiteNameMaxLength = 50;

    /// <summary>
    /// 姓/名: Japanese script (kanji, hiragana, katakana, 々〆ヶー・) or Latin letters, at most 14 each. The manuals ask for
    /// full-width input; after NFKC full-width Latin letters are plain letters, and we accept them so that customers with
    /// names in the Latin alphabet can register. Digits, symbols and spaces are refused.
    /// </summary>
    public static string? PersonName(JsonForm form, string path)
    {
        form.Rules(path, new FieldRules { Description = "Japanese script (kanji, kana, 々〆ヶー・) or Latin letters; no digits, symbols or spaces." });
        var value = Required(form, path, NameMaxLength);
        if (value is not null && !value.EnumerateRunes().All(r => IsJapaneseLetter(r) || Rune.IsLetter(r) && r.IsAscii))
        {
            form.Errors.Add(path, MessageKey.RegistrationNameCharacters);
            return null;
        }

        return value;
    }

    /// <summary>フリガナ: katakana (hiragana is converted), ー and spaces.</summary>
    public static string? Kana(JsonForm form, string path)
    {
        form.Rules(path, new FieldRules { Description = "Katakana (hiragana is converted), ー and spaces." });
        var value = Required(form, path, KanaMaxLength);
        if (value is null)
        {
            return null;
        }

        var katakana = string.Concat(value.Select(c => c is >= 'ぁ' and <= 'ゖ' ? (char)(c + ('ァ' - 'ぁ')) : c));
        if (!katakana.All(c => c is (>= 'ァ' and <= 'ヶ') or 'ヴ' or 'ー' or ' '))
        {
            form.Errors.Add(path, MessageKey.RegistrationKanaCharacters);
            return null;
        }

        return katakana;
    }

    public static string? Email(JsonForm form, string path)
    {
        form.Rules(path, new FieldRules { Format = "email", Pattern = EmailPattern });
        return Plausible(form, path, Required(form, path, EmailMaxLength));
    }

    /// <summary>An address when one is given; absent or blank is null, not an error.</summary>
    public static string? OptionalEmail(JsonForm form, string path)
    {
        form.Rules(path, new FieldRules { Format = "email", Pattern = EmailPattern });
        return Plausible(form, path, Optional(form, path, EmailMaxLength));
    }

    private static string? Plausible(JsonForm form, string path, string? value)
    {
        if (value is not null && !IsPlausibleEmail(value))
        {
            form.Errors.Add(path, MessageKey.RegistrationEmailInvalid);
            return null;
        }

        return value;
    }

    /// <summary>The confirmation must equal <paramref name="email"/> (case-insensitively, like the login ID).</summary>
    public static void EmailConfirmation(JsonForm form, string path, string? email)
    {
        var confirmation = Required(form, path, EmailMaxLength);
        if (confirmation is not null && email is not null && !string.Equals(confirmation, email, StringComparison.OrdinalIgnoreCase))
        {
            form.Errors.Add(path, MessageKey.RegistrationEmailConfirmMismatch);
        }
    }

    /// <summary>〒: 3 + 4 digits with or without a hyphen (6008530, 600-8530, ６００－８５３０), stored as "600-8530".</summary>
    public static string? PostalCode(JsonForm form, string path)
    {
        form.Rules(path, new FieldRules { Description = "3 + 4 digits with or without a hyphen (6008530, 600-8530, 〒600-8530)." });
        var value = Required(form, path, maxLength: 20);
        if (value is null)
        {
            return null;
        }

        var digits = WithoutSeparators(value.TrimStart('〒'));
        if (digits.Length != 7 || !digits.All(char.IsAsciiDigit))
        {
            form.Errors.Add(path, MessageKey.RegistrationPostalCodeInvalid);
            return null;
        }

        return digits[..3] + "-" + digits[3..];
    }

    public static string? Prefecture(JsonForm form, string path)
    {
        form.Rules(path, new FieldRules { Values = Prefectures.All });
        var value = Required(form, path, maxLength: 10);
        if (value is not null && !Prefectures.Contains(value))
        {
            form.Errors.Add(path, MessageKey.RegistrationPrefectureInvalid);
            return null;
        }

        return value;
    }

    public static PostalAddress? Address(JsonForm form, string prefix)
    {
        var postalCode = PostalCode(form, prefix + "postalCode");
        var prefecture = Prefecture(form, prefix + "prefecture");
        var city = RequiredAsTyped(form, prefix + "city", CityMaxLength);
        var street = RequiredAsTyped(form, prefix + "street", StreetMaxLength);
        return postalCode is null || prefecture is null || city is null || street is null
            ? null
            : new PostalAddress(postalCode, prefecture, city, street);
    }

    public static bool IsPlausibleEmail(string value) => value.Length <= EmailMaxLength && PlausibleEmail().IsMatch(value);

    /// <summary>電話番号: 10 digits from 0 (landline) or 11 from 050/070/080/090 (IP, mobile); stored as digits.</summary>
    public static string? Phone(JsonForm form, string path)
    {
        form.Rules(path, new FieldRules
        {
            Description = "10 digits from 0 (landline) or 11 from 050/070/080/090; hyphens, spaces and parentheses are ignored.",
        });
        var value = Required(form, path, maxLength: 30);
        if (value is null)
        {
            return null;
        }

        var digits = PhoneDigits(value);
        if (!IsPhoneDigits(digits))
        {
            form.Errors.Add(path, MessageKey.RegistrationPhoneInvalid);
            return null;
        }

        return digits;
    }

    public static bool IsPhoneDigits(string digits) => digits.All(char.IsAsciiDigit) && digits switch
    {
        { Length: 10 } => digits[0] == '0' && digits[1] != '0',
        { Length: 11 } => digits[..3] is "050" or "070" or "080" or "090",
        _ => false,
    };

    /// <summary>What a typed phone number is compared and stored as: its digits, without hyphens, spaces or parentheses.</summary>
    public static string PhoneDigits(string? typed) => PhoneNumber.Digits(WithoutSeparators(JsonForm.Normalize(typed ?? "")));

    /// <summary>法人様情報: optional; a department only together with a company name.</summary>
    public static Company? Company(JsonForm form, string prefix)
    {
        if (!form.HasAnyText(prefix.TrimEnd('.')))
        {
            return null;
        }

        var name = OptionalAsTyped(form, prefix + "name", CompanyMaxLength);
        var department = OptionalAsTyped(form, prefix + "department", CompanyMaxLength);
        if (name is null && department is not null)
        {
            form.Errors.Add(prefix + "name", MessageKey.RegistrationCompanyNameRequired);
        }

        return name is null ? null : new Company(name, department ?? "");
    }

    /// <summary>系統連系日 (KPAC-B warranty): optional ISO date, not after today in Japan.</summary>
    public static DateOnly? PastDate(JsonForm form, string path, DateOnly todayInJapan)
    {
        form.Rules(path, new FieldRules { Pattern = DatePattern, Description = "A date (yyyy-MM-dd or yyyy/MM/dd) not after today in Japan." });
        var value = form.Text(path);
        if (value is null)
        {
            return null;
        }

        if (!DateOnly.TryParseExact(value.Replace('/', '-'), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            form.Errors.Add(path, MessageKey.RegistrationDateInvalid);
            return null;
        }

        if (date > todayInJapan)
        {
            form.Errors.Add(path, MessageKey.RegistrationDateInFuture);
            return null;
        }

        return date;
    }

    public static string? Required(JsonForm form, string path, int maxLength) => Required(form, path, form.Text(path), maxLength);

    /// <summary>Required free text, kept as typed (<see cref="JsonForm.TypedText"/>).</summary>
    public static string? RequiredAsTyped(JsonForm form, string path, int maxLength) => Required(form, path, form.TypedText(path), maxLength);

    private static string? Required(JsonForm form, string path, string? value, int maxLength)
    {
        form.Rules(path, new FieldRules { MaxLength = maxLength });
        if (value is null)
        {
            if (!form.Errors.Paths.Contains(path))
            {
                form.Errors.Add(path, MessageKey.Required);
            }

            return null;
        }

        return WithinLength(form, path, value, maxLength);
    }

    public static string? Optional(JsonForm form, string path, int maxLength)
    {
        form.Rules(path, new FieldRules { MaxLength = maxLength });
        return form.Text(path) is { } value ? WithinLength(form, path, value, maxLength) : null;
    }

    /// <summary>Optional free text, kept as typed (<see cref="JsonForm.TypedText"/>).</summary>
    public static string? OptionalAsTyped(JsonForm form, string path, int maxLength)
    {
        form.Rules(path, new FieldRules { MaxLength = maxLength });
        return form.TypedText(path) is { } value ? WithinLength(form, path, value, maxLength) : null;
    }

    private static string? WithinLength(JsonForm form, string path, string value, int maxLength)
    {
        if (value.EnumerateRunes().Count() > maxLength)
        {
            form.Errors.Add(path, MessageKey.RegistrationTooLong, maxLength);
            return null;
        }

        return value;
    }

    private static bool IsJapaneseLetter(Rune r) =>
        r.Value is (>= 0x3041 and <= 0x3096) // hiragana
            or (>= 0x309D and <= 0x309F) // ゝゞゟ
            or (>= 0x30A1 and <= 0x30FA) // katakana
            or (>= 0x30FB and <= 0x30FF) // ・ー ヽヾヿ
            or 0x3005 or 0x3006 // 々〆
            or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x3134F); // kanji

    // NFKC leaves these dashes alone (only the full-width hyphen-minus becomes '-'); people type all of them.
    private static string WithoutSeparators(string value) =>
        string.Concat(value.Where(c => c is not (' ' or '-' or '‐' or '‑' or '‒' or '–' or '—' or '―' or '−' or 'ー' or '(' or ')')));

    /// <summary>A date as the forms take it (after NFKC), checked for a real day by the reader.</summary>
    public const string DatePattern = "^[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}$";

    private const string EmailPattern = @"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$";

    [GeneratedRegex(EmailPattern)]
    private static partial Regex PlausibleEmail();
}
