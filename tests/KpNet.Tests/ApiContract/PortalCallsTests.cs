using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.ApiContract;

/// <summary>The portal calls only operations the committed contract describes.</summary>
public sealed partial class PortalCallsTests
{
    // api<T>('METHOD', '/api/…' or `/api/…${…}`) and load<T>(main, title, …'/api/…') or loadVersioned, which GET.
    [GeneratedRegex(@"\bapi(?:<[^(]*>)?\(\s*'(?<method>[A-Z]+)',\s*['`](?<path>/api/[^'`]*)['`]")]
    private static partial Regex ApiCall();

    [GeneratedRegex(@"\bload(?:Versioned)?(?:<[^(]*>)?\([^,]+,[^,]+,\s*['`](?<path>/api/[^'`]*)['`]")]
    private static partial Regex LoadCall();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex TemplateHole();

    [GeneratedRegex(@"\{[^}/]+\}")]
    private static partial Regex PathParameter();

    [Fact]
    public async Task Every_path_and_method_the_portal_calls_is_an_operation_of_the_committed_document()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(OpenApiContractTests.CommittedPath))!;
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation =>
                (Method: operation.Key.ToUpperInvariant(), Path: new Regex("^" + PathParameter().Replace(Regex.Escape(path.Key).Replace(@"\{", "{", StringComparison.Ordinal), "[^/]+") + "$"))))
            .ToList();

        var calls = PortalCalls().ToList();

        Assert.True(calls.Count >= 30, $"Only {calls.Count} API calls found in portal/src: has the api helper changed shape?");
        var undescribed = calls.Where(call => !operations.Any(o => o.Method == call.Method && o.Path.IsMatch(call.Path))).ToList();
        Assert.True(undescribed.Count == 0,
            "The portal calls operations api/openapi.json does not describe: " + string.Join(", ", undescribed.Select(c => $"{c.Method} {c.Path} ({c.File})")));
    }

    private static IEnumerable<(string Method, string Path, string File)> PortalCalls()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "portal", "src"), "*.ts", SearchOption.AllDirectories))
        {
            var source = File.ReadAllText(file);
            var name = Path.GetRelativePath(RepositoryRoot.Path, file);
            foreach (Match call in ApiCall().Matches(source))
            {
                yield return (call.Groups["method"].Value, Concrete(call.Groups["path"].Value), name);
            }

            foreach (Match call in LoadCall().Matches(source))
            {
                yield return ("GET", Concrete(call.Groups["path"].Value), name);
            }
        }
    }

    // A template's holes become one path segment each; the query string is not part of the operation's path.
    private static string Concrete(string path) => TemplateHole().Replace(path, "x").Split('?')[0];
}
