using System.Diagnostics;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Portal;

/// <summary>The built portal (portal/dist) the browser tests load; built with npm when missing or older than its sources.</summary>
public static class PortalBuild
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly string[] SourceFolders = ["src", "public"];
    private static readonly string[] SourceFiles = ["index.html", "package-lock.json", "vite.config.ts", "tsconfig.json"];

    public static string Folder { get; } = Path.Combine(RepositoryRoot.Path, "portal", "dist");

    private static string Source => Path.Combine(RepositoryRoot.Path, "portal");

    public static async Task EnsureBuiltAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(Source, "node_modules", ".package-lock.json"))
                || File.GetLastWriteTimeUtc(Path.Combine(Source, "package-lock.json")) > File.GetLastWriteTimeUtc(Path.Combine(Source, "node_modules", ".package-lock.json")))
            {
                await NpmAsync("ci --no-audit --no-fund");
            }

            var index = Path.Combine(Folder, "index.html");
            if (!File.Exists(index) || LatestSourceChange() > File.GetLastWriteTimeUtc(index))
            {
                await NpmAsync("run build");
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private static DateTime LatestSourceChange() =>
        SourceFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Source, folder), "*", SearchOption.AllDirectories))
            .Concat(SourceFiles.Select(file => Path.Combine(Source, file)))
            .Max(File.GetLastWriteTimeUtc);

    private static async Task NpmAsync(string arguments)
    {
        using var npm = Process.Start(new ProcessStartInfo("npm", arguments)
        {
            WorkingDirectory = Source,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = npm.StandardOutput.ReadToEndAsync();
        var errors = npm.StandardError.ReadToEndAsync();
        await npm.WaitForExitAsync();
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm {arguments} in {Source} failed ({npm.ExitCode}):\n{await output}\n{await errors}");
        }
    }
}
