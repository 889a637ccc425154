using System.Diagnostics;

namespace KpNet.Tests.Infrastructure;

/// <summary>
/// The deployable folder from `dotnet publish` (what goes to Azure). test.sh publishes once and passes the folder in
/// KPNET_PUBLISH_DIR; run alone, the fixture publishes to a temporary folder itself.
/// </summary>
public sealed class PublishedApp : IAsyncLifetime
{
    public string Folder { get; private set; } = Environment.GetEnvironmentVariable("KPNET_PUBLISH_DIR") ?? "";

    public string Package { get; private set; } = Environment.GetEnvironmentVariable("KPNET_PUBLISH_PACKAGE") ?? "";

    public async Task InitializeAsync()
    {
        if (Folder.Length > 0)
        {
            return;
        }

        var output = Path.Combine(Path.GetTempPath(), "kpnet-publish-" + Guid.NewGuid().ToString("N"));
        Folder = Path.Combine(output, "app");
        Package = Path.Combine(output, "kpnet-functions.zip");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryRoot.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "publish", "functions/KpNet.Functions", "-c", "Release", "-o", Folder, $"-p:FunctionsPackagePath={Package}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var publish = Process.Start(start)!;
        var log = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed:\n{await log}\n{await errors}");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
