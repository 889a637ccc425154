using System.Text.Json;
using System.Text.RegularExpressions;

namespace KpNet.Tests.Deployment;

/// <summary>One resource of a compiled template (one per index of a copy loop), its JSON evaluated as far as compile time allows.</summary>
public sealed record ArmResource(IReadOnlyDictionary<string, object?> Definition)
{
    /// <summary>The full name, segments of parent resources first (`account/default/table`); `?` for what only deployment knows.</summary>
    public string Name => ArmExpression.Text(Definition["name"]);

    /// <summary>The resource an extension resource (a role assignment) applies to; null for the resource group.</summary>
    public object? Scope => Definition.GetValueOrDefault("scope");

    /// <summary>The value at a property path, e.g. ("properties", "siteConfig", "appSettings").</summary>
    public object? Get(params string[] path)
    {
        object? value = Definition;
        foreach (var property in path)
        {
            value = value is IReadOnlyDictionary<string, object?> properties && properties.TryGetValue(property, out var next)
                ? next
                : throw new KeyNotFoundException($"{Definition["type"]} {Name} has no {string.Join('.', path)}");
        }

        return value;
    }
}

/// <summary>
/// An ARM template as `bicep build` writes it. Its expressions are evaluated with <see cref="ArmExpression"/>: variables
/// and copy loops (of resources, properties and variables) are expanded, a parameter takes its default value when that
/// is known at compile time (so a loop over a count parameter is expanded as the defaults deploy it), and other
/// parameters and runtime functions stay <see cref="DeploymentValue"/>s.
/// </summary>
public sealed partial class ArmTemplate
{
    private static readonly IReadOnlyDictionary<string, long> OutsideLoops = new Dictionary<string, long>();

    private readonly JsonElement root;
    private readonly Dictionary<string, object?> variables = [];

    private ArmTemplate(JsonElement root) => this.root = root;

    public static ArmTemplate Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new ArmTemplate(document.RootElement.Clone());
    }

    public IReadOnlyList<ArmResource> Resources(string type)
    {
        var resources = root.GetProperty("resources");
        // Templates with languageVersion 2.0 key their resources by symbolic name.
        var definitions = resources.ValueKind == JsonValueKind.Object ? resources.EnumerateObject().Select(r => r.Value) : resources.EnumerateArray();
        return definitions
            .Where(definition => string.Equals(definition.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase))
            .SelectMany(Instances)
            .ToList();
    }

    private IEnumerable<ArmResource> Instances(JsonElement definition)
    {
        if (!definition.TryGetProperty("copy", out var copy))
        {
            return [new ArmResource((IReadOnlyDictionary<string, object?>)Value(definition, OutsideLoops)!)];
        }

        // In a resource's own loop copyIndex() may leave out the loop's name.
        return LoopIndexes(copy, OutsideLoops).Select(index => new ArmResource((IReadOnlyDictionary<string, object?>)Value(
            definition,
            new Dictionary<string, long> { [""] = index, [copy.GetProperty("name").GetString()!] = index })!));
    }

    private IEnumerable<long> LoopIndexes(JsonElement copy, IReadOnlyDictionary<string, long> loops) =>
        Value(copy.GetProperty("count"), loops) is long count
            ? Enumerable.Range(0, (int)count).Select(index => (long)index)
            : throw new InvalidOperationException($"Copy loop {copy.GetProperty("name")} has a count known only at deployment: {copy.GetProperty("count")}");

    private object? Value(JsonElement element, IReadOnlyDictionary<string, long> loops) => element.ValueKind switch
    {
        JsonValueKind.Object => Properties(element, loops),
        JsonValueKind.Array => element.EnumerateArray().Select(item => Value(item, loops)).ToList(),
        JsonValueKind.String when ArmExpression.IsExpression(element.GetString()!) =>
            ArmExpression.Evaluate(element.GetString()!, (function, arguments, source) => Call(function, arguments, source, loops)),
        JsonValueKind.String when element.GetString()!.StartsWith("[[", StringComparison.Ordinal) => element.GetString()![1..],
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? (object)integer : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private Dictionary<string, object?> Properties(JsonElement element, IReadOnlyDictionary<string, long> loops)
    {
        var properties = new Dictionary<string, object?>();
        foreach (var property in element.EnumerateObject())
        {
            // An array of loops in place of properties: each loop makes the property it names, one input per index.
            if (property is { Name: "copy", Value.ValueKind: JsonValueKind.Array })
            {
                foreach (var loop in property.Value.EnumerateArray())
                {
                    properties[loop.GetProperty("name").GetString()!] = Loop(loop, loops);
                }
            }
            else
            {
                properties[property.Name] = Value(property.Value, loops);
            }
        }

        return properties;
    }

    private List<object?> Loop(JsonElement loop, IReadOnlyDictionary<string, long> loops) =>
        LoopIndexes(loop, loops)
            .Select(index => Value(loop.GetProperty("input"), new Dictionary<string, long>(loops) { [loop.GetProperty("name").GetString()!] = index }))
            .ToList();

    private object? Call(string function, IReadOnlyList<object?> arguments, string source, IReadOnlyDictionary<string, long> loops)
    {
        switch (function.ToLowerInvariant())
        {
            case "variables":
                return Variable((string)arguments[0]!);
            case "copyindex":
                var loop = arguments.OfType<string>().SingleOrDefault() ?? "";
                return loops.TryGetValue(loop, out var index)
                    ? index + arguments.OfType<long>().SingleOrDefault()
                    : throw new InvalidOperationException($"{source} outside its copy loop");
            case "format" when arguments[0] is string format:
                return FormatItem().Replace(format, item => ArmExpression.Text(arguments[int.Parse(item.Groups[1].Value) + 1]));
            case "parameters" when root.GetProperty("parameters").GetProperty((string)arguments[0]!).TryGetProperty("defaultValue", out var defaultValue):
                return Value(defaultValue, OutsideLoops) switch
                {
                    IReadOnlyDictionary<string, object?> or IReadOnlyList<object?> or DeploymentValue => new DeploymentValue(source),
                    var known => known,
                };
            case "createarray":
                return arguments.ToList();
            case "createobject":
                return arguments.Chunk(2).ToDictionary(pair => (string)pair[0]!, pair => pair[1]);
            case "range" when arguments is [long first, long count]:
                return Enumerable.Range((int)first, (int)count).Select(index => (object?)(long)index).ToList();
            case "mul" when arguments is [long left, long right]:
                return left * right;
            case "div" when arguments is [long left, long right]:
                return left / right;
            case "mod" when arguments is [long left, long right]:
                return left % right;
            case "concat" when arguments.All(argument => argument is IReadOnlyList<object?>):
                return arguments.Cast<IReadOnlyList<object?>>().SelectMany(items => items).ToList();
            case "concat":
                return string.Concat(arguments.Select(ArmExpression.Text));
            case "length" when arguments[0] is IReadOnlyList<object?> items:
                return (long)items.Count;
            case "length" when arguments[0] is string text:
                return (long)text.Length;
            case "resourceid" or "subscriptionresourceid" or "tenantresourceid":
                // Optional subscription and resource group arguments come before the type, the only one with a '/'.
                var type = arguments.TakeWhile(argument => !(argument is string text && text.Contains('/'))).Count();
                return type < arguments.Count
                    ? new ArmResourceId((string)arguments[type]!, arguments.Skip(type + 1).Select(ArmExpression.Text).ToList())
                    : new DeploymentValue(source);
            case "reference":
                return new ArmReference(arguments[0], "");
            case "true":
                return true;
            case "false":
                return false;
            case "null":
                return null;
            default:
                return new DeploymentValue(source);
        }
    }

    private object? Variable(string name)
    {
        if (variables.TryGetValue(name, out var known))
        {
            return known;
        }

        var declared = root.GetProperty("variables");
        var value = declared.TryGetProperty(name, out var definition)
            ? Value(definition, OutsideLoops)
            : declared.TryGetProperty("copy", out var loops) && loops.EnumerateArray().FirstOrDefault(loop => loop.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } loop
                ? Loop(loop, OutsideLoops)
                : throw new KeyNotFoundException($"No variable {name} in the template");
        variables[name] = value;
        return value;
    }

    [GeneratedRegex(@"\{(\d+)(?::[^}]*)?\}")]
    private static partial Regex FormatItem();
}
