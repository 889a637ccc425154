namespace KpNet.Http;

/// <summary>
/// Field errors keyed by the request's JSON path ("email", "site.postalCode"), answered as a 400 problem with an
/// "errors" object whose values are localised messages (api.md conventions).
/// </summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<(MessageKey Key, object[] Args)>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public IEnumerable<string> Paths => _errors.Keys;

    public ValidationErrors Add(string path, MessageKey key, params object[] args)
    {
        if (!_errors.TryGetValue(path, out var list))
        {
            _errors[path] = list = [];
        }

        list.Add((key, args));
        return this;
    }

    /// <summary>Adds the message only when <paramref name="path"/> has none yet (a field that is not text at all is not also "required").</summary>
    public void TryAdd(string path, MessageKey key)
    {
        if (!_errors.ContainsKey(path))
        {
            Add(path, key);
        }
    }

    public IResult ToProblem(HttpContext context)
    {
        var english = Messages.PrefersEnglish(context);
        return TypedResults.ValidationProblem(
            _errors.ToDictionary(e => e.Key, e => e.Value.Select(m => Messages.Get(m.Key, english, m.Args)).ToArray()),
            title: Messages.Get(MessageKey.ValidationFailed, english),
            type: "https://kpnet.example.jp/problems/validation-failed");
    }
}
