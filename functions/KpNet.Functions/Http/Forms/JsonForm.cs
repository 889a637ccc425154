using System.Text;
using System.Text.Json;
using KpNet.Http;
using KpNet.Json;

namespace KpNet.Http.Forms;

/// <summary>
/// Reads a request body field by field, by JSON path ("site.postalCode"), so a value of the wrong type, a string that
/// holds no Unicode text (an escaped lone surrogate, invalid UTF-8) or text with characters <see cref="FreeText"/>
/// refuses becomes a field error naming that path instead of a bare 400 or a 500. Every JSON body the app reads goes
/// through here. Text comes back NFKC-normalised and trimmed (IDs, digits, e-mail, phone, postal codes), free text only
/// trimmed (<see cref="TypedText"/>); absent, null or blank is null.
/// <see cref="Describe"/> runs a reader over no body at all to learn the fields it reads, for the API contract.
/// </summary>
public sealed class JsonForm(JsonElement root, ValidationErrors errors)
{
    private static readonly JsonElement NoBody = JsonDocument.Parse("{}").RootElement;

    // Set while describing: every field the reader asks for, with the rules it states.
    private Dictionary<string, (FieldKind? Kind, FieldRules Rules)>? _described;

    public ValidationErrors Errors => errors;

    /// <summary>
    /// The fields <paramref name="read"/> reads, each with its kind and the rules it states, in reading order; required
    /// are those it refuses when the body is empty. Reading optional parts is never skipped: an array has one item,
    /// and every object has text.
    /// </summary>
    public static IReadOnlyList<FormField> Describe(Action<JsonForm> read)
    {
        var form = new JsonForm(NoBody, new ValidationErrors()) { _described = new(StringComparer.Ordinal) };
        read(form);
        var required = form.Errors.Paths.ToHashSet(StringComparer.Ordinal);
        foreach (var path in required.Where(path => !form._described.ContainsKey(path)))
        {
            form._described[path] = (FieldKind.Text, new FieldRules());
        }

        return form._described.Select(field => new FormField(field.Key, field.Value.Kind ?? FieldKind.Text, field.Value.Rules, required.Contains(field.Key))).ToList();
    }

    /// <summary>States what the caller checks of the field at <paramref name="path"/>, for <see cref="Describe"/>; reading a body, it does nothing.</summary>
    public void Rules(string path, FieldRules rules)
    {
        if (_described is not null)
        {
            _described[path] = _described.TryGetValue(path, out var field) ? (field.Kind, field.Rules.With(rules)) : (null, rules);
        }
    }

    private void Reading(string path, FieldKind kind)
    {
        if (_described is not null && !(_described.TryGetValue(path, out var field) && field.Kind is not null))
        {
            _described[path] = (kind, field.Rules ?? new FieldRules());
        }
    }

    /// <summary>The body as an object, or null (a 400 without field errors) when it is not a JSON object.</summary>
    public static async Task<JsonForm?> ReadAsync(HttpRequest request, ValidationErrors errors, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == JsonValueKind.Object ? new JsonForm(document.RootElement.Clone(), errors) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Normalize(string value) => value.Normalize(NormalizationForm.FormKC).Trim();

    /// <summary>Whether the object at <paramref name="path"/> is present with at least one non-blank text field.</summary>
    public bool HasAnyText(string path) =>
        _described is not null
        || Find(path) is { ValueKind: JsonValueKind.Object } element
        && element.EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.String
            && (!JsonText.TryGetString(p.Value, out var text) || Normalize(text).Length > 0));

    public string? Text(string path) => Text(path, Normalize, FreeText.IsAllowed);

    /// <summary>
    /// Free text (案件, addresses, company and dealer names) as the user typed it, trimmed: NFKC would turn "御室邸（自宅・京都）"
    /// into "御室邸(自宅・京都)" and ① into 1, which is not what they wrote. Compare such text through <see cref="Normalize"/>.
    /// </summary>
    public string? TypedText(string path) => Text(path, value => value.Trim(), FreeText.IsAllowed);

    /// <summary>A number's digits, or text as <see cref="Text(string)"/>: numeric IDs (販売店ID) that clients send either way.</summary>
    public string? TextOrNumber(string path)
    {
        Reading(path, FieldKind.TextOrNumber);
        return Find(path) is { ValueKind: JsonValueKind.Number } number ? number.GetRawText() : Text(path);
    }

    /// <summary>How many items the array at <paramref name="path"/> has (read them as "path[0]"…); null when absent, a field error when not an array.</summary>
    public int? ArrayLength(string path)
    {
        if (_described is not null)
        {
            Reading(path, FieldKind.Array);
            return 1;
        }

        switch (Find(path))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.Array } array:
                return array.GetArrayLength();
            default:
                errors.Add(path, MessageKey.RegistrationFieldInvalid);
                return null;
        }
    }

    /// <summary>Passwords are taken exactly as typed: normalising them would change what the user chose.</summary>
    public string? RawText(string path) => Text(path, value => value, FreeText.IsAllowed);

    /// <summary>Text that may span lines (an operator's notice): as written, line breaks as LF, trimmed.</summary>
    public string? MultilineText(string path) => Text(path, value => value.ReplaceLineEndings("\n").Trim(), FreeText.IsAllowedWithLineBreaks);

    private string? Text(string path, Func<string, string> prepare, Func<string, bool> isAllowed)
    {
        Reading(path, FieldKind.Text);
        switch (Find(path))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } element:
                if (!JsonText.TryGetString(element, out var value) || !isAllowed(value = prepare(value)))
                {
                    errors.Add(path, MessageKey.TextCharactersNotAllowed);
                    return null;
                }

                return value.Length == 0 ? null : value;
            default:
                errors.Add(path, MessageKey.RegistrationFieldInvalid);
                return null;
        }
    }

    private JsonElement? Find(string path)
    {
        var element = root;
        foreach (var segment in path.Split('.'))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? segment : segment[..bracket];
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }

            if (bracket >= 0)
            {
                var index = int.Parse(segment[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
                if (element.ValueKind != JsonValueKind.Array || index >= element.GetArrayLength())
                {
                    return null;
                }

                element = element[index];
            }
        }

        return element;
    }
}
