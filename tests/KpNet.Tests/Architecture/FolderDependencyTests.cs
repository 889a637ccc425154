using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Architecture;

/// <summary>
/// Each top-level folder of the app (the namespace segment after <c>KpNet.</c>) may use folders below it and never one
/// that uses it back, however indirectly: a newcomer finds a notion in one place, and a folder can be read and changed
/// knowing only what it uses.
/// </summary>
public sealed class FolderDependencyTests
{
    // The composition root names every feature; no folder names it.
    private static readonly HashSet<Type> CompositionRoot = [typeof(KpNetApp), typeof(KpNetApp).Assembly.EntryPoint!.DeclaringType!];

    [Fact]
    public void No_two_folders_of_the_app_depend_on_each_other_directly_or_through_others()
    {
        var edges = FolderDependencies.Of(typeof(KpNetApp).Assembly, "KpNet", CompositionRoot);

        var cycles = FolderDependencies.Cycles(edges);

        Assert.True(cycles.Count == 0, string.Join("\n", cycles.Select(cycle =>
            string.Join(" ⇄ ", cycle) + ":\n" + string.Join("\n", edges
                .Where(e => cycle.Contains(e.From) && cycle.Contains(e.To))
                .Select(e => $"  {e.From} → {e.To}: {string.Join("; ", e.BecauseOf.Take(3))}")))));
    }

    /// <summary>The dependency tests read namespaces; this keeps them the folders a reader sees.</summary>
    [Fact]
    public void Every_source_file_of_the_app_declares_the_namespace_of_its_folder()
    {
        var app = Path.Combine(RepositoryRoot.Path, "functions", "KpNet.Functions");
        var files = Directory.EnumerateFiles(app, "*.cs", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(app, file))
            .Where(file => file.Split(Path.DirectorySeparatorChar)[0] is not ("bin" or "obj"))
            .ToList();

        var misplaced = files
            .Select(file => (File: file, Declared: DeclaredNamespace(Path.Combine(app, file))))
            .Where(f => f.Declared is not null && f.Declared != Expected(f.File))
            .Select(f => $"{f.File}: {f.Declared}, expected {Expected(f.File)}");

        Assert.True(files.Count > 100, $"only {files.Count} source files found under {app}");
        Assert.Empty(misplaced);
    }

    private static string Expected(string relativeFile) =>
        string.Join('.', Path.GetDirectoryName(relativeFile)!.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Prepend("KpNet"));

    private static string? DeclaredNamespace(string file) =>
        File.ReadLines(file).FirstOrDefault(line => line.StartsWith("namespace ", StringComparison.Ordinal))?["namespace ".Length..].TrimEnd(';', ' ');

    [Fact]
    public void The_plumbing_folders_use_no_feature_folder()
    {
        string[] plumbing = ["Json", "Configuration", "Http", "Hosting", "Observability", "Security", "Support", "Notifications"];
        var edges = FolderDependencies.Of(typeof(KpNetApp).Assembly, "KpNet", CompositionRoot);

        var intoFeatures = edges.Where(e => plumbing.Contains(e.From) && !plumbing.Contains(e.To));

        Assert.Contains(edges, e => e is { From: "Notifications", To: "Hosting" });
        Assert.Empty(intoFeatures.Select(e => $"{e.From} → {e.To}: {string.Join("; ", e.BecauseOf.Take(3))}"));
    }

    [Fact]
    public void A_use_made_only_inside_a_lambda_or_an_async_method_counts_and_closes_a_cycle()
    {
        var edges = FolderDependencies.Of(typeof(FolderDependencyTests).Assembly, "KpNet.Tests.Architecture.Samples", new HashSet<Type>());

        Assert.Contains(edges, e => e is { From: "Left", To: "Right" });
        Assert.Contains(edges, e => e is { From: "Right", To: "Left" });
        Assert.Equal(["Left", "Right"], Assert.Single(FolderDependencies.Cycles(edges)));
    }

    [Fact]
    public void Folders_that_only_use_each_other_one_way_make_no_cycle_however_long_the_chain()
    {
        var edges = new FolderDependencies.Edge[] { new("A", "B", ["a"]), new("B", "C", ["b"]), new("A", "C", ["c"]), new("D", "A", ["d"]) };

        Assert.Empty(FolderDependencies.Cycles(edges));
        Assert.Equal(["A", "B", "C"], Assert.Single(FolderDependencies.Cycles([.. edges, new("C", "A", ["back"])])));
    }
}
