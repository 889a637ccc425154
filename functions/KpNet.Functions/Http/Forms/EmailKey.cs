using System.Text;

namespace KpNet.Http.Forms;

/// <summary>E-mail addresses are compared case-insensitively after NFKC; the key escapes what table keys forbid.</summary>
public static class EmailKey
{
    public static string Normalize(string email) => email.Normalize(NormalizationForm.FormKC).Trim();

    public static string For(string email) => Uri.EscapeDataString(Normalize(email).ToLowerInvariant());
}
