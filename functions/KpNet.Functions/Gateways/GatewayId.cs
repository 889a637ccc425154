using System.Text;

namespace KpNet.Gateways;

/// <summary>Gateway IDs as printed on the sheet in the box: 12 upper-case letters and digits.</summary>
public static class GatewayId
{
    public static string Normalize(string input) => input.Normalize(NormalizationForm.FormKC).Trim().ToUpperInvariant();

    public static bool IsValid(string id) => id.Length == 12 && id.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));
}
