using System.Text.Json;
using System.Text.RegularExpressions;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Deployment;

/// <summary>The Bicep, local.settings.sample.json and the app agree on settings, connections, tables and queues.</summary>
public sealed partial class InfrastructureConsistencyTests
{
    private static readonly string Bicep = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "main.bicep"));

    private static readonly string[] AzureSettings =
    [
        "--Email:SenderAddress=no-reply@kpnet.example.jp",
        "--Email:ConnectionString=endpoint=https://kpnet.communication.azure.com/;accesskey=a2V5",
    ];

    // Settings the platform reads, not the app.
    private static readonly string[] PlatformSettings = ["APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "FUNCTIONS_WORKER_RUNTIME"];

    private static HashSet<string> BicepAppSettings() =>
        AppSettingName().Matches(Bicep[Bicep.IndexOf("appSettings:", StringComparison.Ordinal)..]).Select(m => m.Groups[1].Value).ToHashSet();

    private static HashSet<string> BicepList(string variable)
    {
        var start = Bicep.IndexOf($"var {variable} = [", StringComparison.Ordinal);
        Assert.True(start >= 0, $"main.bicep has no list {variable}");
        var end = Bicep.IndexOf(']', start);
        return QuotedName().Matches(Bicep[start..end]).Select(m => m.Groups[1].Value).ToHashSet();
    }

    private static HashSet<string> SampleSettings()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet();
    }

    [Fact]
    public void Every_setting_the_app_reads_in_azure_is_set_by_the_bicep_and_the_bicep_sets_nothing_unknown()
    {
        var bicep = BicepAppSettings();
        var known = AppSettings.All.Select(s => s.Name).Concat(PlatformSettings).ToHashSet();

        Assert.All(AppSettings.All.Where(s => s.Scope != SettingScope.LocalOnly && !s.Optional), s => Assert.Contains(s.Name, bicep));
        Assert.All(bicep, name => Assert.Contains(name, known));
    }

    [Fact]
    public void Every_setting_the_app_reads_locally_is_in_the_sample_settings_and_the_sample_holds_nothing_unknown()
    {
        var sample = SampleSettings();
        var known = AppSettings.All.Select(s => s.Name).Concat(PlatformSettings).ToHashSet();

        Assert.All(AppSettings.All.Where(s => s.Scope != SettingScope.AzureOnly), s => Assert.Contains(s.Name, sample));
        Assert.All(sample, name => Assert.Contains(name, known));
    }

    [Fact]
    public async Task Every_trigger_connection_is_configured_in_the_bicep_identity_based_and_in_the_sample_as_a_connection_string()
    {
        await using var app = KpNetApp.Create(AzureSettings, emittingMetadata: true);
        var bicep = BicepAppSettings();
        var sample = SampleSettings();

        foreach (var function in app.Services.GetServices<FunctionDefinition>())
        {
            var connection = function.Trigger switch
            {
                QueueTrigger queue => queue.Connection,
                EventHubTrigger hub => hub.Connection,
                _ => null,
            };
            if (connection is null)
            {
                continue;
            }

            Assert.True(bicep.Any(name => name.StartsWith(connection + "__", StringComparison.Ordinal)), $"{function.Name}: no {connection}__… setting in main.bicep");
            Assert.Contains(connection, sample);
        }
    }

    [Fact]
    public async Task Every_table_and_trigger_queue_of_the_app_is_created_by_the_bicep()
    {
        await using var app = KpNetApp.Create(AzureSettings, emittingMetadata: true);
        var tables = BicepList("tableNames");
        var queues = BicepList("queueNames");

        Assert.All(app.Services.GetServices<StorageTable>(), table => Assert.Contains(table.Name, tables));
        foreach (var queue in app.Services.GetServices<FunctionDefinition>().Select(f => f.Trigger).OfType<QueueTrigger>())
        {
            Assert.Contains(queue.QueueName, queues);
            Assert.Contains(queue.QueueName + "-poison", queues);
        }
    }

    [Fact]
    public async Task The_event_hub_and_its_function_agree_on_the_hub_name()
    {
        await using var app = KpNetApp.Create(AzureSettings, emittingMetadata: true);

        foreach (var hub in app.Services.GetServices<FunctionDefinition>().Select(f => f.Trigger).OfType<EventHubTrigger>())
        {
            Assert.Contains($"var telemetryHub = '{hub.EventHubName}'", Bicep, StringComparison.Ordinal);
            Assert.Contains($"var telemetryConsumerGroup = '{hub.ConsumerGroup}'", Bicep, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\{ name: '([^']+)', value:")]
    private static partial Regex AppSettingName();

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex QuotedName();
}
