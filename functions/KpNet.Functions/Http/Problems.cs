namespace KpNet.Http;

/// <summary>RFC 9457 problem+json answers with a catalogued, localised title.</summary>
public static class Problems
{
    public static IResult Create(HttpContext context, int status, MessageKey key, params object[] args) =>
        TypedResults.Problem(
            title: Messages.Get(key, Messages.PrefersEnglish(context), args),
            statusCode: status,
            type: "https://kpnet.example.jp/problems/" + ToKebab(key));

    private static string ToKebab(MessageKey key) =>
        string.Concat(key.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
