using System.Diagnostics;
using System.Reflection;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Deployment;

/// <summary>What one run of the Bicep CLI wrote: the compiled JSON on stdout, any diagnostic on stderr.</summary>
public sealed record BicepRun(string Command, int ExitCode, string Output, string Diagnostics)
{
    /// <summary>Compiled and reported nothing: no error, no warning, no info.</summary>
    public bool IsClean => ExitCode == 0 && Diagnostics.Trim().Length == 0;

    /// <summary>The command and its diagnostics, each once (linting a parameter file reports its template's too).</summary>
    public override string ToString() =>
        $"bicep {Command} (exit {ExitCode}):\n" + string.Join('\n', Diagnostics.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct());
}

/// <summary>
/// The Bicep compiler the test project restores from NuGet (version pinned in Directory.Packages.props), run on the
/// files in infra/, where it finds infra/bicepconfig.json.
/// </summary>
public static class BicepCli
{
    private static readonly Lazy<string> Executable = new(ExecutableFile);
    private static readonly Lazy<Task<BicepRun>> MainTemplateBuild = new(() => RunAsync("build", "main.bicep", "--stdout"));

    public static string InfraFolder { get; } = Path.Combine(RepositoryRoot.Path, "infra");

    /// <summary>`bicep build infra/main.bicep --stdout`, run once for all the tests that read the ARM JSON.</summary>
    public static Task<BicepRun> BuildMainTemplateAsync() => MainTemplateBuild.Value;

    /// <summary>`bicep COMMAND --no-restore ARGUMENTS` in infra/.</summary>
    public static async Task<BicepRun> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable.Value) { WorkingDirectory = InfraFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        // No registry modules here; without --no-restore every run also tries to download the public module index.
        foreach (var argument in new[] { command, "--no-restore" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var bicep = Process.Start(start)!;
        var output = bicep.StandardOutput.ReadToEndAsync();
        var diagnostics = bicep.StandardError.ReadToEndAsync();
        await bicep.WaitForExitAsync();
        return new BicepRun(string.Join(' ', [command, .. arguments]), bicep.ExitCode, await output, await diagnostics);
    }

    private static string ExecutableFile()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The test project restores the linux-x64 Bicep CLI (Azure.Bicep.CommandLine.linux-x64).");
        }

        var restored = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepExecutable").Value!;
        if (!File.Exists(restored))
        {
            throw new InvalidOperationException($"No Bicep CLI at {restored}: restore the test project (dotnet restore tests/KpNet.Tests) to download it.");
        }

        // NuGet does not keep a package file's execute bits on every version and platform.
        const UnixFileMode runnable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(restored);
        if ((mode & runnable) == runnable)
        {
            return restored;
        }

        try
        {
            File.SetUnixFileMode(restored, mode | runnable);
            return restored;
        }
        catch (UnauthorizedAccessException)
        {
            // Someone else's packages folder: run a copy of our own, made once per compiler version.
            var version = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(restored)));
            var copy = Path.Combine(Path.GetTempPath(), "kpnet-bicep-" + version, "bicep");
            if (!File.Exists(copy))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                var partial = copy + "." + Environment.ProcessId;
                File.Copy(restored, partial, overwrite: true);
                File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite | runnable);
                File.Move(partial, copy, overwrite: true);
            }

            return copy;
        }
    }
}
