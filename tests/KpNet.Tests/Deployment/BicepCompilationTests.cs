namespace KpNet.Tests.Deployment;

/// <summary>The pinned Bicep compiler builds and lints everything in infra/ and has nothing to say about it.</summary>
public sealed class BicepCompilationTests
{
    [Fact]
    public async Task The_template_and_every_parameter_file_build_without_a_diagnostic()
    {
        var parameterFiles = Directory.GetFiles(BicepCli.InfraFolder, "*.bicepparam").Select(Path.GetFileName).Order().ToList();
        var compiled = Directory.CreateTempSubdirectory("kpnet-bicepparam-");
        try
        {
            var builds = await Task.WhenAll(
                BicepCli.BuildMainTemplateAsync(),
                BicepCli.RunAsync("build-params", "--pattern", "*.bicepparam", "--outdir", compiled.FullName));

            var unclean = builds.Where(build => !build.IsClean).ToList();
            Assert.True(unclean.Count == 0, string.Join("\n\n", unclean));
            Assert.NotEmpty(parameterFiles);
            Assert.Equal(parameterFiles.Select(file => Path.ChangeExtension(file, ".json")), compiled.EnumerateFiles().Select(file => file.Name).Order());
        }
        finally
        {
            compiled.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_linter_finds_nothing_in_the_template_or_the_parameter_files()
    {
        var lint = await BicepCli.RunAsync("lint", "--pattern", "*.bicep*");

        Assert.True(lint.IsClean, lint.ToString());
        Assert.Empty(lint.Output.Trim());
    }
}
