using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using KpNet.Configuration;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Observability;
using KpNet.Telemetry;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KpNet.Tests.Deployment;

/// <summary>
/// The compiled infrastructure (the ARM JSON of infra/main.bicep), local.settings.sample.json and the app agree on
/// settings, connections, roles, tables, queues, the event hub, and the metrics and log lines the alerts and the workbook read.
/// </summary>
public sealed partial class InfrastructureConsistencyTests
{
    private static readonly string[] AzureSettings =
    [
        "--Email:SenderAddress=no-reply@kpnet.example.jp",
        "--Email:ConnectionString=endpoint=https://kpnet.communication.azure.com/;accesskey=a2V5",
    ];

    // Settings the platform reads, not the app.
    private static readonly string[] PlatformSettings = ["FUNCTIONS_WORKER_RUNTIME"];

    private static async Task<ArmTemplate> CompiledTemplateAsync()
    {
        var build = await BicepCli.BuildMainTemplateAsync();
        Assert.True(build.ExitCode == 0, build.ToString());
        return ArmTemplate.Parse(build.Output);
    }

    private static ArmResource FunctionApp(ArmTemplate template) =>
        Assert.Single(template.Resources("Microsoft.Web/sites"), site => ((string)site.Get("kind")!).Contains("functionapp", StringComparison.Ordinal));

    private static HashSet<string> FunctionAppSettings(ArmTemplate template) =>
        Assert.IsAssignableFrom<IReadOnlyList<object?>>(FunctionApp(template).Get("properties", "siteConfig", "appSettings"))
            .Select(setting => Assert.IsType<string>(Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(setting)["name"]))
            .ToHashSet();

    /// <summary>The last name segment of each resource of a child type: a table's or a queue's own name.</summary>
    private static HashSet<string> ChildNames(ArmTemplate template, string type) =>
        template.Resources(type).Select(resource => resource.Name.Split('/')[^1]).ToHashSet();

    /// <summary>(type of the resource it applies to, role definition id) of each role the function app's own identity is given.</summary>
    private static HashSet<(string? Scope, string Role)> FunctionAppRoles(ArmTemplate template) =>
        template.Resources("Microsoft.Authorization/roleAssignments")
            .Where(assignment => assignment.Get("properties", "principalId") is ArmReference { Resource: ArmResourceId { Type: "Microsoft.Web/sites" }, Path: "identity.principalId" })
            .Select(assignment => ((assignment.Scope as ArmResourceId)?.Type, Assert.IsType<ArmResourceId>(assignment.Get("properties", "roleDefinitionId")).Names[^1]))
            .ToHashSet();

    private static HashSet<string> SampleSettings()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet();
    }

    /// <summary>The setting an item of a list setting is (TelemetryStorage__Shards__1__accountName is TelemetryStorage__Shards__0__accountName).</summary>
    private static string ListItemAsFirst(string name) => ListIndex().Replace(name, "__0__");

    /// <summary>A string array variable of the template, as written (e.g. the table names its loops create).</summary>
    private static async Task<List<string>> TemplateListAsync(string variable)
    {
        using var template = JsonDocument.Parse((await BicepCli.BuildMainTemplateAsync()).Output);
        return template.RootElement.GetProperty("variables").GetProperty(variable).EnumerateArray().Select(item => item.GetString()!).ToList();
    }

    private static async Task<int> DefaultTelemetryShardCountAsync()
    {
        using var template = JsonDocument.Parse((await BicepCli.BuildMainTemplateAsync()).Output);
        return template.RootElement.GetProperty("parameters").GetProperty("telemetryShardCount").GetProperty("defaultValue").GetInt32();
    }

    [Fact]
    public async Task Every_setting_the_app_reads_in_azure_is_set_by_the_bicep_and_the_bicep_sets_nothing_unknown()
    {
        var bicep = FunctionAppSettings(await CompiledTemplateAsync());
        var known = AppSettings.All.Select(s => s.Name).Concat(PlatformSettings).ToHashSet();

        Assert.All(AppSettings.All.Where(s => s.Scope != SettingScope.LocalOnly && !s.Optional), s => Assert.Contains(s.Name, bicep));
        Assert.All(bicep, name => Assert.Contains(ListItemAsFirst(name), known));
    }

    [Fact]
    public void Every_setting_the_app_reads_locally_is_in_the_sample_settings_and_the_sample_holds_nothing_unknown()
    {
        var sample = SampleSettings();
        var known = AppSettings.All.Select(s => s.Name).Concat(PlatformSettings).ToHashSet();

        Assert.All(AppSettings.All.Where(s => s.Scope != SettingScope.AzureOnly), s => Assert.Contains(s.Name, sample));
        Assert.All(sample, name => Assert.Contains(ListItemAsFirst(name), known));
    }

    [Fact]
    public async Task Every_trigger_connection_is_configured_in_the_bicep_identity_based_and_in_the_sample_as_a_connection_string()
    {
        await using var app = KpNetApp.Create(AzureSettings, emittingMetadata: true);
        var bicep = FunctionAppSettings(await CompiledTemplateAsync());
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
            Assert.DoesNotContain(connection, bicep);
            Assert.Contains(connection, sample);
        }
    }

    [Fact]
    public async Task The_function_app_identity_holds_the_data_role_each_trigger_needs_on_its_resource()
    {
        await using var app = KpNetApp.Create(AzureSettings, emittingMetadata: true);
        var roles = FunctionAppRoles(await CompiledTemplateAsync());

        foreach (var function in app.Services.GetServices<FunctionDefinition>())
        {
            // Built-in role ids, the same in every tenant.
            (string Scope, string Role)? needed = function.Trigger switch
            {
                QueueTrigger => ("Microsoft.Storage/storageAccounts", "974c5e8b-45b9-4653-ba55-5f855dd0fb88"), // Storage Queue Data Contributor
                EventHubTrigger => ("Microsoft.EventHub/namespaces", "a638d3c7-ab3a-418d-83e6-5f17a39d4fde"), // Azure Event Hubs Data Receiver
                _ => null,
            };
            if (needed is { } role)
            {
                Assert.True(roles.Contains(role), $"{function.Name}: the function app's identity has no role {role.Role} on its {role.Scope}");
            }
        }
    }

    [Fact]
    public async Task Every_table_and_trigger_queue_of_the_app_is_created_by_the_bicep()
    {
        await using var app = KpNetApp.Create(AzureSettings, emittingMetadata: true);
        var template = await CompiledTemplateAsync();
        var tables = ChildNames(template, "Microsoft.Storage/storageAccounts/tableServices/tables");
        var queues = ChildNames(template, "Microsoft.Storage/storageAccounts/queueServices/queues");

        Assert.All(app.Services.GetServices<StorageTable>(), table => Assert.Contains(table.Name, tables));
        foreach (var queue in app.Services.GetServices<FunctionDefinition>().Select(f => f.Trigger).OfType<QueueTrigger>())
        {
            Assert.Contains(queue.QueueName, queues);
            Assert.Contains(queue.QueueName + "-poison", queues);
        }
    }

    [Fact]
    public async Task Each_telemetry_account_gets_the_telemetry_tables_an_app_setting_and_the_app_identitys_table_role_and_the_main_account_none_of_those_tables()
    {
        var template = await CompiledTemplateAsync();
        var shards = await DefaultTelemetryShardCountAsync();
        var mainTables = await TemplateListAsync("tableNames");
        var telemetryTables = await TemplateListAsync("telemetryTableNames");
        var tables = template.Resources("Microsoft.Storage/storageAccounts/tableServices/tables").Select(table => table.Name.Split('/')[^1]).ToList();
        var tableRoles = template.Resources("Microsoft.Authorization/roleAssignments").Count(assignment =>
            assignment.Get("properties", "principalId") is ArmReference { Resource: ArmResourceId { Type: "Microsoft.Web/sites" } }
            && assignment.Scope is ArmResourceId { Type: "Microsoft.Storage/storageAccounts" }
            && Assert.IsType<ArmResourceId>(assignment.Get("properties", "roleDefinitionId")).Names[^1] == "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"); // Storage Table Data Contributor

        Assert.Equal(1 + shards, template.Resources("Microsoft.Storage/storageAccounts").Count);
        Assert.Equal(TelemetryTables.Names.Order(StringComparer.Ordinal), telemetryTables.Order(StringComparer.Ordinal));
        Assert.Empty(mainTables.Intersect(telemetryTables));
        Assert.Equal(mainTables.Count + (shards * telemetryTables.Count), tables.Count);
        Assert.All(telemetryTables, table => Assert.Equal(shards, tables.Count(t => t == table)));
        Assert.Equal(1 + shards, tableRoles);
        Assert.Equal(
            Enumerable.Range(0, shards).Select(i => $"TelemetryStorage__Shards__{i}__accountName"),
            FunctionAppSettings(template).Where(name => name.StartsWith("TelemetryStorage__", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_event_hub_and_the_consumer_group_of_each_event_hub_function_are_created_by_the_bicep()
    {
        await using var app = KpNetApp.Create(AzureSettings, emittingMetadata: true);
        var template = await CompiledTemplateAsync();
        var hubs = ChildNames(template, "Microsoft.EventHub/namespaces/eventhubs");
        var consumerGroups = template.Resources("Microsoft.EventHub/namespaces/eventhubs/consumergroups").Select(group => string.Join('/', group.Name.Split('/')[^2..])).ToHashSet();

        foreach (var hub in app.Services.GetServices<FunctionDefinition>().Select(f => f.Trigger).OfType<EventHubTrigger>())
        {
            Assert.Contains(hub.EventHubName, hubs);
            Assert.Contains($"{hub.EventHubName}/{hub.ConsumerGroup}", consumerGroups);
        }
    }

    [Fact]
    public async Task There_is_an_alert_rule_for_each_condition_an_operator_is_woken_for_and_they_and_the_workbook_read_only_metrics_the_app_records()
    {
        using var template = JsonDocument.Parse((await BicepCli.BuildMainTemplateAsync()).Output);
        var rules = template.RootElement.GetProperty("variables").GetProperty("alertRules").EnumerateArray()
            .ToDictionary(rule => rule.GetProperty("name").GetString()!, rule => rule.GetProperty("query").GetString()!);
        using var workbook = JsonDocument.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraFolder, "operations-workbook.json")));
        var charts = workbook.RootElement.GetProperty("items").EnumerateArray()
            .Where(item => item.GetProperty("content").TryGetProperty("query", out _))
            .Select(item => item.GetProperty("content").GetProperty("query").GetString()!)
            .ToList();
        var recorded = AppMetricNames();

        Assert.Equal(["dead-letter-spike", "handler-failures", "ingest-lag", "mail-failures", "no-telemetry", "poison-messages"], rules.Keys.Order(StringComparer.Ordinal));
        Assert.All(rules.Values.Concat(charts).SelectMany(query => MetricName().Matches(query)), name => Assert.Contains(name.Value, recorded));
        Assert.All(recorded, name => Assert.Contains(charts, chart => chart.Contains($"\"{name}\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_ingest_lag_alert_reads_the_lag_p95_that_each_telemetry_batch_logs()
    {
        using var template = JsonDocument.Parse((await BicepCli.BuildMainTemplateAsync()).Output);
        var lagQuery = template.RootElement.GetProperty("variables").GetProperty("alertRules").EnumerateArray()
            .Single(rule => rule.GetProperty("name").GetString() == "ingest-lag").GetProperty("query").GetString()!;
        var batchLine = typeof(TelemetryIngestFunction).GetMethods(BindingFlags.NonPublic | BindingFlags.Instance)
            .Select(method => method.GetCustomAttribute<LoggerMessageAttribute>())
            .Single(attribute => attribute?.EventName == "TelemetryBatchApplied")!;

        var prefix = Regex.Match(lagQuery, "message startswith \"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(prefix);
        Assert.StartsWith(prefix, batchLine.Message, StringComparison.Ordinal);
        Assert.Contains("customDimensions.LagP95Seconds", lagQuery, StringComparison.Ordinal);
        Assert.Contains("{LagP95Seconds", batchLine.Message, StringComparison.Ordinal);
    }

    /// <summary>The instruments of the app's meter, as a listener sees them published.</summary>
    private static HashSet<string> AppMetricNames()
    {
        var names = new HashSet<string>();
        using var services = new ServiceCollection().AddMetrics().AddSingleton<KpNetMetrics>().BuildServiceProvider();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == KpNetMetrics.MeterName)
                {
                    names.Add(instrument.Name);
                }
            },
        };
        listener.Start();
        services.GetRequiredService<KpNetMetrics>();
        return names;
    }

    [GeneratedRegex(@"kpnet(\.[a-z_]+)+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"__\d+__")]
    private static partial Regex ListIndex();
}
