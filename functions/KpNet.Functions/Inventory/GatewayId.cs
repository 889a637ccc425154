using System.Text;
using KpNet.Http.Forms;

namespace KpNet.Inventory;

/// <summary>Gateway IDs as printed on the sheet in the box: 12 upper-case letters and digits.</summary>
public static class GatewayId
{
    public static string Normalize(string input) => input.Normalize(NormalizationForm.FormKC).Trim().ToUpperInvariant();

    public static readonly FieldRules Field = new()
    {
        Pattern = "^[0-9A-Za-z]{12}$",
        Description = "12 letters and digits as printed on the sheet in the box; lower-case letters are read as upper-case.",
    };

    public static bool IsValid(string id) => id.Length == 12 && id.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));
}
