namespace KpNet.Http.Forms;

/// <summary>How a field of a request body is read: <see cref="JsonForm.Text(string)"/> and its kin, or a number or its digits.</summary>
public enum FieldKind
{
    Text,
    TextOrNumber,
    Array,
}

/// <summary>
/// What a reader checks of one field beyond its kind and presence, stated by the reader itself next to the check
/// (<see cref="JsonForm.Rules"/>), so the request schema of the API contract is read off the code that validates.
/// Lengths count Unicode characters of the normalised value; <see cref="Description"/> holds what a schema cannot say.
/// </summary>
public sealed record FieldRules
{
    public int? MinLength { get; init; }

    public int? MaxLength { get; init; }

    public string? Pattern { get; init; }

    public IReadOnlyList<string>? Values { get; init; }

    public string? Format { get; init; }

    public int? Minimum { get; init; }

    public int? Maximum { get; init; }

    public int? MinItems { get; init; }

    public int? MaxItems { get; init; }

    public string? Description { get; init; }

    /// <summary>These rules, completed by <paramref name="other"/>'s where these state none.</summary>
    public FieldRules With(FieldRules other) => new()
    {
        MinLength = MinLength ?? other.MinLength,
        MaxLength = MaxLength ?? other.MaxLength,
        Pattern = Pattern ?? other.Pattern,
        Values = Values ?? other.Values,
        Format = Format ?? other.Format,
        Minimum = Minimum ?? other.Minimum,
        Maximum = Maximum ?? other.Maximum,
        MinItems = MinItems ?? other.MinItems,
        MaxItems = MaxItems ?? other.MaxItems,
        Description = Description ?? other.Description,
    };
}

/// <summary>A field a reader reads, by JSON path ("site.postalCode", "staffEmails[0]" for the items of an array).</summary>
public sealed record FormField(string Path, FieldKind Kind, FieldRules Rules, bool Required);

/// <summary>
/// Endpoint metadata: the reader an endpoint reads its JSON body with, so the contract describes the body from it
/// (<see cref="JsonForm.Describe"/>). A new endpoint gets its request schema by naming its reader here.
/// </summary>
public sealed record RequestForm(Action<JsonForm> Read)
{
    public IReadOnlyList<FormField> Fields => JsonForm.Describe(Read);
}

/// <summary>Endpoint metadata: a POST whose action is all in its path, so it reads no body (the contract says so).</summary>
public sealed record NoRequestBody;

/// <summary>Endpoint metadata: what the endpoint checks of a query parameter it reads, stated with the constants of the check.</summary>
public sealed record QueryParameterRules(string Name, FieldRules Rules);

public static class RequestFormEndpoints
{
    public static RouteHandlerBuilder AcceptsForm(this RouteHandlerBuilder builder, Action<JsonForm> read) => builder.WithMetadata(new RequestForm(read));

    public static RouteHandlerBuilder TakesNoBody(this RouteHandlerBuilder builder) => builder.WithMetadata(new NoRequestBody());

    public static RouteHandlerBuilder WithQueryRules(this RouteHandlerBuilder builder, string name, FieldRules rules) =>
        builder.WithMetadata(new QueryParameterRules(name, rules));
}
