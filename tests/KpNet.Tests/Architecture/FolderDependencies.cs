using System.Reflection;
using System.Reflection.Emit;

namespace KpNet.Tests.Architecture;

/// <summary>
/// Which top-level folder of the app uses which, read from the compiled app: signatures, fields, base types and every
/// type, method or field a method body names (its IL), so a dependency hidden in a lambda or an async method counts too.
/// A folder is the namespace segment after <c>KpNet.</c>; nested and compiler-generated types belong to the type that
/// declares them.
/// </summary>
internal static class FolderDependencies
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    public sealed record Edge(string From, string To, IReadOnlyList<string> BecauseOf);

    /// <summary>One edge per pair of folders, naming the types that make it.</summary>
    public static IReadOnlyList<Edge> Of(Assembly app, string rootNamespace, ISet<Type> composition)
    {
        var edges = new Dictionary<(string, string), SortedSet<string>>();
        foreach (var type in app.GetTypes())
        {
            if (composition.Contains(Outermost(type)) || FolderOf(type, app, rootNamespace) is not { } from)
            {
                continue;
            }

            foreach (var used in UsedBy(type).SelectMany(Flatten).Distinct())
            {
                if (FolderOf(used, app, rootNamespace) is { } to && to != from)
                {
                    if (!edges.TryGetValue((from, to), out var reasons))
                    {
                        edges[(from, to)] = reasons = [];
                    }

                    reasons.Add($"{Outermost(type).FullName} uses {Outermost(used).FullName}");
                }
            }
        }

        return edges.Select(e => new Edge(e.Key.Item1, e.Key.Item2, e.Value.ToList())).OrderBy(e => e.From).ThenBy(e => e.To).ToList();
    }

    /// <summary>Groups of two or more folders that reach each other (strongly connected components).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IReadOnlyList<Edge> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var folders = edges.SelectMany(e => new[] { e.From, e.To }).Distinct().Order().ToList();
        var reach = folders.ToDictionary(f => f, f => Reachable(f, next));
        return folders
            .Select(f => folders.Where(g => reach[f].Contains(g) && reach[g].Contains(f)).Order().ToList())
            .Where(group => group.Count > 1)
            .DistinctBy(group => string.Join(",", group))
            .ToList<IReadOnlyList<string>>();
    }

    private static HashSet<string> Reachable(string from, Dictionary<string, List<string>> next)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([from]);
        while (pending.TryPop(out var folder))
        {
            foreach (var to in next.GetValueOrDefault(folder) ?? [])
            {
                if (seen.Add(to))
                {
                    pending.Push(to);
                }
            }
        }

        return seen;
    }

    private static string? FolderOf(Type type, Assembly app, string rootNamespace)
    {
        var outer = Outermost(type);
        if (outer.Assembly != app || outer.Namespace is not { } ns || !ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[(rootNamespace.Length + 1)..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var inner in Flatten(type.GetElementType()!))
            {
                yield return inner;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsConstructedGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return argument;
            }
        }
    }

    private static IEnumerable<Type> UsedBy(Type type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var contract in type.GetInterfaces())
        {
            yield return contract;
        }

        foreach (var attribute in type.GetCustomAttributesData())
        {
            yield return attribute.AttributeType;
        }

        foreach (var field in type.GetFields(Declared))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(Declared))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo { ReturnType: var returned })
            {
                yield return returned;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            if (method.GetMethodBody() is not { } body)
            {
                continue;
            }

            foreach (var local in body.LocalVariables)
            {
                yield return local.LocalType;
            }

            foreach (var named in NamedIn(method, body.GetILAsByteArray() ?? []))
            {
                yield return named;
            }
        }
    }

    /// <summary>The types a method body names: the declaring types of the methods and fields it touches, and the types it tests, casts or creates.</summary>
    private static IEnumerable<Type> NamedIn(MethodBase method, byte[] il)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            var code = OpCodesByValue[il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at]];
            at += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    var member = Resolve(method.Module, BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                    at += 4;
                    switch (member)
                    {
                        case Type named:
                            yield return named;
                            break;
                        case FieldInfo field:
                            yield return field.DeclaringType!;
                            yield return field.FieldType;
                            break;
                        case MethodBase called:
                            yield return called.DeclaringType!;
                            if (called is MethodInfo { IsGenericMethod: true } generic)
                            {
                                foreach (var argument in generic.GetGenericArguments())
                                {
                                    yield return argument;
                                }
                            }

                            break;
                    }

                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                default:
                    at += 4;
                    break;
            }
        }
    }

    private static MemberInfo? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMember(token, typeArguments, methodArguments);
        }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or FileNotFoundException or TypeLoadException)
        {
            // A member of an assembly the test does not load (an optional dependency of an SDK) is no folder of ours.
            return null;
        }
    }
}
