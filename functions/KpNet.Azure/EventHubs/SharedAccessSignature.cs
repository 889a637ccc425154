using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KpNet.Azure.EventHubs;

/// <summary>
/// Event Hubs / Service Bus SAS tokens: sig = Base64(HMAC-SHA256(UTF8(key), UTF8(urlencode(uri) + "\n" + expiry))).
/// The key is used as text, not base64-decoded (unlike storage and ACS keys).
/// </summary>
public sealed record SharedAccessSignature(string EncodedResource, string Signature, long ExpiresAtUnixSeconds, string KeyName)
{
    private const string Prefix = "SharedAccessSignature ";

    public string Resource => Uri.UnescapeDataString(EncodedResource);

    public static string Create(Uri resource, string keyName, string key, DateTimeOffset expiresAt)
    {
        var encodedResource = Uri.EscapeDataString(resource.AbsoluteUri.TrimEnd('/'));
        var expiry = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Sign(key, encodedResource, expiry);
        return $"{Prefix}sr={encodedResource}&sig={Uri.EscapeDataString(signature)}&se={expiry}&skn={Uri.EscapeDataString(keyName)}";
    }

    public static bool TryParse(string? authorization, out SharedAccessSignature? signature)
    {
        signature = null;
        if (authorization is null || !authorization.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        string? resource = null, sig = null, expiry = null, keyName = null;
        foreach (var field in authorization[Prefix.Length..].Split('&'))
        {
            var separator = field.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                return false;
            }

            var value = field[(separator + 1)..];
            switch (field[..separator])
            {
                case "sr": resource = value; break;
                case "sig": sig = Uri.UnescapeDataString(value); break;
                case "se": expiry = value; break;
                case "skn": keyName = Uri.UnescapeDataString(value); break;
            }
        }

        if (resource is null || sig is null || keyName is null
            || !long.TryParse(expiry, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            return false;
        }

        signature = new SharedAccessSignature(resource, sig, expiresAt, keyName);
        return true;
    }

    /// <summary>True when the token was signed with this key, names this key, and has not expired.</summary>
    public bool IsValid(string keyName, string key, DateTimeOffset now)
    {
        if (!string.Equals(KeyName, keyName, StringComparison.Ordinal) || ExpiresAtUnixSeconds <= now.ToUnixTimeSeconds())
        {
            return false;
        }

        var expected = Sign(key, EncodedResource, ExpiresAtUnixSeconds.ToString(CultureInfo.InvariantCulture));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(Signature));
    }

    /// <summary>
    /// True when the token's resource (its <c>sr</c>) is the path or one of its parent paths, segment by segment, the way
    /// Service Bus scopes a token: a hub's token covers the hub's publishers, a publisher's token covers only that
    /// publisher. The host is not compared, so a local endpoint on any port accepts a token made for it.
    /// </summary>
    public bool Covers(string path)
    {
        if (!Uri.TryCreate(Resource, UriKind.Absolute, out var resource))
        {
            return false;
        }

        var scope = resource.AbsolutePath.TrimEnd('/');
        return scope.Length > 0
            && path.StartsWith(scope, StringComparison.OrdinalIgnoreCase)
            && (path.Length == scope.Length || path[scope.Length] == '/');
    }

    private static string Sign(string key, string encodedResource, string expiry) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(encodedResource + "\n" + expiry)));
}
