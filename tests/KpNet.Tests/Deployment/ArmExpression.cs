using System.Globalization;
using System.Text;

namespace KpNet.Tests.Deployment;

/// <summary>A value known only at deployment (a parameter, uniqueString(), if(), ...): the expression that gives it.</summary>
public sealed record DeploymentValue(string Expression)
{
    /// <summary>How it reads inside a string made at compile time, e.g. a resource name.</summary>
    public const string Placeholder = "?";
}

/// <summary>resourceId(...) or subscriptionResourceId(...): a resource's type and its name segments.</summary>
public sealed record ArmResourceId(string Type, IReadOnlyList<string> Names);

/// <summary>reference(...) of a resource (its runtime state), and the property path read from it.</summary>
public sealed record ArmReference(object? Resource, string Path);

/// <summary>A template function applied to its evaluated arguments; <paramref name="source"/> is the call's own text.</summary>
public delegate object? ArmFunction(string name, IReadOnlyList<object?> arguments, string source);

/// <summary>
/// The part of the ARM template expression language (`[function(...)...]` strings) that the compiler emits for this
/// repository's Bicep, evaluated as far as compile time allows: literals, variables, parameters' defaults, copy indexes,
/// format, createArray, createObject, concat, length, range, mul, div, mod, resourceId and reference. Anything else becomes a <see cref="DeploymentValue"/>.
/// </summary>
public sealed class ArmExpression
{
    private readonly string text;
    private readonly ArmFunction call;
    private int position;

    private ArmExpression(string text, ArmFunction call)
    {
        this.text = text;
        this.call = call;
    }

    /// <summary>Whether an ARM JSON string is an expression (`[...]`, not the escaped literal `[[...`).</summary>
    public static bool IsExpression(string value) => value.StartsWith('[') && value.EndsWith(']') && !value.StartsWith("[[", StringComparison.Ordinal);

    /// <summary>Evaluates `[expression]` (brackets included); <paramref name="call"/> applies the template's functions.</summary>
    public static object? Evaluate(string value, ArmFunction call)
    {
        var expression = new ArmExpression(value[1..^1], call);
        var result = expression.Expression();
        expression.SkipSpaces();
        return expression.position == expression.text.Length ? result : throw expression.Error("end of expression");
    }

    /// <summary>A value as format() or concat() writes it into a string.</summary>
    public static string Text(object? value) => value switch
    {
        string s => s,
        long n => n.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        _ => DeploymentValue.Placeholder,
    };

    private object? Expression()
    {
        SkipSpaces();
        var start = position;
        var value = Primary();
        while (true)
        {
            SkipSpaces();
            if (TryTake('.'))
            {
                value = Member(value, Identifier(), start);
            }
            else if (TryTake('['))
            {
                var index = Expression();
                Take(']');
                value = Member(value, index, start);
            }
            else
            {
                return value;
            }
        }
    }

    private object? Member(object? value, object? key, int start) => (value, key) switch
    {
        (IReadOnlyDictionary<string, object?> properties, string name) => properties.TryGetValue(name, out var property) ? property : throw Error($"a property {name}"),
        (IReadOnlyList<object?> items, long index) => index >= 0 && index < items.Count ? items[(int)index] : throw Error($"an index below {items.Count}"),
        (ArmReference reference, string name) => reference with { Path = reference.Path.Length == 0 ? name : reference.Path + "." + name },
        _ => new DeploymentValue(text[start..position]),
    };

    private object? Primary()
    {
        if (position < text.Length && text[position] == '\'')
        {
            return StringLiteral();
        }

        if (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '-'))
        {
            var start = position++;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            return long.Parse(text[start..position], CultureInfo.InvariantCulture);
        }

        var callStart = position;
        var function = Identifier(allowDots: true);
        Take('(');
        var arguments = new List<object?>();
        SkipSpaces();
        if (!TryTake(')'))
        {
            do
            {
                arguments.Add(Expression());
                SkipSpaces();
            }
            while (TryTake(','));
            Take(')');
        }

        return call(function, arguments, text[callStart..position]);
    }

    private string StringLiteral()
    {
        Take('\'');
        var literal = new StringBuilder();
        while (true)
        {
            var end = text.IndexOf('\'', position);
            if (end < 0)
            {
                throw Error("a closing quote");
            }

            literal.Append(text, position, end - position);
            position = end + 1;
            if (position < text.Length && text[position] == '\'')
            {
                literal.Append('\'');
                position++;
            }
            else
            {
                return literal.ToString();
            }
        }
    }

    private string Identifier(bool allowDots = false)
    {
        SkipSpaces();
        var start = position;
        while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] == '_' || (allowDots && text[position] == '.')))
        {
            position++;
        }

        return position > start ? text[start..position] : throw Error("a name");
    }

    private void SkipSpaces()
    {
        while (position < text.Length && text[position] == ' ')
        {
            position++;
        }
    }

    private bool TryTake(char expected)
    {
        if (position < text.Length && text[position] == expected)
        {
            position++;
            return true;
        }

        return false;
    }

    private void Take(char expected)
    {
        SkipSpaces();
        if (!TryTake(expected))
        {
            throw Error($"'{expected}'");
        }
    }

    private FormatException Error(string expected) => new($"ARM expression [{text}]: expected {expected} at {position}");
}
