namespace KpNet.Http;

/// <summary>RFC 9457 problem+json answers with a catalogued, localised title.</summary>
public static class Problems
{
    public static IResult Create(HttpContext context, int status, MessageKey key, params object[] args) =>
        TypedResults.Problem(
            title: Messages.Get(key, Messages.PrefersEnglish(context), args),
            statusCode: status,
            type: "https://kpnet.example.jp/problems/" + ToKebab(key));

    /// <summary>429 with Retry-After (whole seconds, rounded up) when guessing is detected.</summary>
    public static IResult TooManyAttempts(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Create(context, StatusCodes.Status429TooManyRequests, MessageKey.TooManyAttempts);
    }

    private static string ToKebab(MessageKey key) =>
        string.Concat(key.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
