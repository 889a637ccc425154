using Azure;

namespace KpNet.Azure.Email;

/// <summary>
/// An ACS connection string, <c>endpoint=https://{resource}.communication.azure.com/;accesskey={base64}</c>.
/// Error messages never contain the key (or the string, which holds it).
/// </summary>
internal sealed record EmailConnectionString(Uri Endpoint, AzureKeyCredential AccessKey)
{
    public static EmailConnectionString Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new FormatException("The ACS connection string has a part without 'name=value'; expected 'endpoint=https://….communication.azure.com/;accesskey=…'.");
            }

            parts[pair[..separator].Trim()] = pair[(separator + 1)..].Trim();
        }

        if (!parts.TryGetValue("endpoint", out var endpointText) || endpointText.Length == 0)
        {
            throw new FormatException("The ACS connection string has no 'endpoint'.");
        }

        if (!parts.TryGetValue("accesskey", out var accessKey) || accessKey.Length == 0)
        {
            throw new FormatException("The ACS connection string has no 'accesskey'.");
        }

        var endpoint = EmailEndpoint.Validate(endpointText, static message => new FormatException("The ACS connection string's endpoint " + message));
        return new EmailConnectionString(endpoint, HmacAuthenticationPolicy.CreateKeyCredential(accessKey, static message => new FormatException("The ACS connection string's accesskey " + message)));
    }
}

internal static class EmailEndpoint
{
    /// <summary>Absolute http(s) URI without query or fragment; plain http only for loopback (tests, local fakes).</summary>
    public static Uri Validate(string text, Func<string, Exception> error)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw error("is not an absolute https URI (e.g. https://{resource}.communication.azure.com/).");
        }

        return Validate(endpoint, error);
    }

    public static Uri Validate(Uri endpoint, Func<string, Exception> error)
    {
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw error("is not an absolute https URI (e.g. https://{resource}.communication.azure.com/).");
        }

        if (endpoint.Scheme == Uri.UriSchemeHttp && !endpoint.IsLoopback)
        {
            throw error("must use https (plain http is allowed only for loopback test servers).");
        }

        if (endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0 || endpoint.UserInfo.Length > 0)
        {
            throw error("must not contain user info, a query or a fragment.");
        }

        return endpoint;
    }
}
