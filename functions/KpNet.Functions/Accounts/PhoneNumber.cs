using System.Text;

namespace KpNet.Accounts;

/// <summary>Phone numbers are kept and compared as their digits: NFKC (full-width → half-width), hyphens and spaces dropped.</summary>
public static class PhoneNumber
{
    public static string Digits(string? phone) =>
        string.Concat((phone ?? "").Normalize(NormalizationForm.FormKC).Where(c => c is not ('-' or ' ' or '‐' or '−' or 'ー')));

    /// <summary>Whether what the user typed is the same number as <paramref name="registeredDigits"/>.</summary>
    public static bool Matches(string? typed, string registeredDigits) =>
        Digits(typed) is { Length: > 0 } digits && digits.All(char.IsAsciiDigit) && digits == registeredDigits;
}
