using KpNet.Simulator;

namespace KpNet.Tests.Simulator;

public sealed class SimulatorOptionsTests
{
    private const string Key = "c2ltdWxhdG9yLWtleS1ub3QtcmVhbA==";
    private const string SendPolicy = $"Endpoint=sb://kpnet-dev.servicebus.windows.net/;SharedAccessKeyName=simulator-send;SharedAccessKey={Key}";

    [Fact]
    public async Task An_event_hubs_connection_string_sends_to_its_namespace_and_hub_as_its_key_name()
    {
        var options = SimulatorOptions.Parse(["--event-hubs", SendPolicy + ";EntityPath=telemetry"]);
        await using var producer = EventHubsTarget.CreateProducer(options);

        Assert.Equal(("kpnet-dev.servicebus.windows.net", "telemetry"), (producer.FullyQualifiedNamespace, producer.EventHubName));
        Assert.Equal("shared access key simulator-send", EventHubsTarget.Identity(options));
    }

    [Fact]
    public async Task A_connection_string_without_entity_path_takes_the_hub_from_event_hub()
    {
        var options = SimulatorOptions.Parse(["--event-hubs", SendPolicy, "--event-hub", "telemetry"]);
        await using var producer = EventHubsTarget.CreateProducer(options);

        Assert.Equal("telemetry", producer.EventHubName);
    }

    [Fact]
    public async Task A_namespace_and_hub_send_as_the_default_azure_credential()
    {
        var options = SimulatorOptions.Parse(["--event-hubs-namespace", "kpnet-dev.servicebus.windows.net", "--event-hub", "telemetry", "--parallel-sends", "64"]);
        await using var producer = EventHubsTarget.CreateProducer(options);

        Assert.Equal(("kpnet-dev.servicebus.windows.net", "telemetry", 64), (producer.FullyQualifiedNamespace, producer.EventHubName, options.ParallelSends));
        Assert.Equal("DefaultAzureCredential", EventHubsTarget.Identity(options));
    }

    [Fact]
    public void Without_event_hubs_options_the_rounds_go_through_the_rest_send_api()
    {
        var options = SimulatorOptions.Parse(["--connection", SendPolicy + ";EntityPath=telemetry"]);

        Assert.False(options.SendsToEventHubs);
    }

    [Theory]
    [InlineData("--event-hubs-namespace", "kpnet-dev.servicebus.windows.net")]
    [InlineData("--event-hub", "telemetry")]
    [InlineData("--event-hubs", SendPolicy)]
    [InlineData("--event-hubs", SendPolicy + ";EntityPath=telemetry", "--event-hub", "other")]
    [InlineData("--event-hubs", SendPolicy + ";EntityPath=telemetry", "--event-hubs-namespace", "kpnet-dev.servicebus.windows.net", "--event-hub", "telemetry")]
    [InlineData("--event-hubs", SendPolicy + ";EntityPath=telemetry", "--connection", SendPolicy + ";EntityPath=telemetry")]
    [InlineData("--event-hubs", "Endpoint=sb://kpnet-dev.servicebus.windows.net/;SharedAccessKeyName=simulator-send;EntityPath=telemetry")]
    [InlineData("--event-hubs", $"Endpoint=sb://127.0.0.1:7071;SharedAccessKeyName=simulator-send;SharedAccessKey={Key};EntityPath=telemetry")]
    [InlineData("--event-hubs", $"SharedAccessKey={Key}")]
    [InlineData("--parallel-sends", "0")]
    [InlineData("--make-inventory", "simulated.csv")]
    public void Event_hubs_options_that_cannot_work_are_refused_at_start_without_echoing_the_key(params string[] args)
    {
        var refusal = Assert.Throws<FormatException>(() => SimulatorOptions.Parse(args));

        Assert.DoesNotContain(Key, refusal.Message, StringComparison.Ordinal);
    }
}
