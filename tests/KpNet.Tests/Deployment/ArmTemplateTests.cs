namespace KpNet.Tests.Deployment;

/// <summary>ArmTemplate reads what the pinned compiler emits for loops, escapes and deployment-time values.</summary>
public sealed class ArmTemplateTests
{
    private const string Bicep = """
        param prefix string
        var queueNames = ['aaa', 'bbb']
        var doubled = [for name in queueNames: '${name}-${name}']

        resource account 'Microsoft.Storage/storageAccounts@2026-09-01' existing = {
          name: 'acct${prefix}'
        }

        resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2026-09-01' existing = {
          parent: account
          name: 'default'
        }

        resource fromVariable 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-09-01' = [for name in queueNames: {
          parent: queueService
          name: name
        }]

        resource fromInlineArray 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-09-01' = [for (name, i) in ['ccc', 'ddd']: {
          parent: queueService
          name: '${name}${i}'
        }]

        resource fromLoopedVariable 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-09-01' = [for name in doubled: {
          parent: queueService
          name: name
        }]

        resource site 'Microsoft.Web/sites@2025-03-01' = {
          name: 'site'
          location: resourceGroup().location
          properties: {
            siteConfig: {
              appSettings: [for name in queueNames: { name: 'Queue__${name}', value: account.properties.primaryEndpoints.queue }]
              connectionStrings: [{ name: '[not an expression]', connectionString: prefix }]
            }
          }
        }
        """;

    private static readonly Lazy<Task<ArmTemplate>> Compiled = new(CompileAsync);

    private static async Task<ArmTemplate> CompileAsync()
    {
        var folder = Directory.CreateTempSubdirectory("kpnet-arm-");
        try
        {
            var file = Path.Combine(folder.FullName, "fixture.bicep");
            await File.WriteAllTextAsync(file, Bicep);
            var build = await BicepCli.RunAsync("build", file, "--stdout");
            Assert.True(build.IsClean, build.ToString());
            return ArmTemplate.Parse(build.Output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Resource_loops_over_a_variable_an_inline_array_and_a_looped_variable_give_one_resource_per_item()
    {
        var template = await Compiled.Value;

        var names = template.Resources("Microsoft.Storage/storageAccounts/queueServices/queues").Select(queue => queue.Name);

        Assert.Equal(["acct?/default/aaa", "acct?/default/bbb", "acct?/default/ccc0", "acct?/default/ddd1", "acct?/default/aaa-aaa", "acct?/default/bbb-bbb"], names);
    }

    [Fact]
    public async Task A_property_loop_gives_the_array_it_names_and_a_string_starting_with_two_brackets_is_a_literal()
    {
        var site = Assert.Single((await Compiled.Value).Resources("Microsoft.Web/sites"));

        var settings = Assert.IsAssignableFrom<IReadOnlyList<object?>>(site.Get("properties", "siteConfig", "appSettings"));
        var connection = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(Assert.IsAssignableFrom<IReadOnlyList<object?>>(site.Get("properties", "siteConfig", "connectionStrings"))));

        Assert.Equal(["Queue__aaa", "Queue__bbb"], settings.Select(setting => ((IReadOnlyDictionary<string, object?>)setting!)["name"]));
        Assert.Equal("[not an expression]", connection["name"]);
    }

    [Fact]
    public async Task Values_known_only_at_deployment_stay_unknown_and_a_reference_keeps_its_resource_and_path()
    {
        var site = Assert.Single((await Compiled.Value).Resources("Microsoft.Web/sites"));
        var setting = (IReadOnlyDictionary<string, object?>)Assert.IsAssignableFrom<IReadOnlyList<object?>>(site.Get("properties", "siteConfig", "appSettings"))[0]!;

        Assert.Equal(new DeploymentValue("resourceGroup().location"), site.Get("location"));
        var reference = Assert.IsType<ArmReference>(setting["value"]);
        Assert.Equal("Microsoft.Storage/storageAccounts", Assert.IsType<ArmResourceId>(reference.Resource).Type);
        Assert.Equal("primaryEndpoints.queue", reference.Path);
    }
}
