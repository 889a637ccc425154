namespace KpNet.Http;

public static class BearerToken
{
    /// <summary>The token of "Authorization: Bearer …", which takes precedence over the cookie.</summary>
    public static string? Of(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}
