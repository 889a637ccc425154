using System.Security.Cryptography;
using System.Text;

namespace KpNet.Security;

/// <summary>256-bit random tokens (sessions, activation and reset links); only their SHA-256 is ever stored.</summary>
public static class SecureToken
{
    public static string Create() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Tokens are base64url of 32 bytes: anything else is rejected before touching storage.</summary>
    public static bool LooksValid(string? token) =>
        token is { Length: 43 } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
