using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Azure;
using KpNet.Azure.EventHubs;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using KpNet.Hosting.Local;
using KpNet.Telemetry;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Hosting.Local;

public sealed class LocalEventHubTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly Dictionary<string, byte[]> NotUnicodeBatches = new()
    {
        ["a lone surrogate"] = Encoding.UTF8.GetBytes("""[{"Body":"\ud800"}]"""),
        ["reversed surrogates after a good event"] = Encoding.UTF8.GetBytes("""[{"Body":"{\"seq\":1}"},{"Body":"\udc00\ud800"}]"""),
        ["a lone surrogate in a partition key"] = Encoding.UTF8.GetBytes("""[{"Body":"{\"seq\":1}","BrokerProperties":{"PartitionKey":"GW\ud800"}}]"""),
        ["invalid UTF-8"] = [.. "[{\"Body\":\""u8, 0xFF, 0xFE, .. "\"}]"u8],
    };

    private readonly Recorder _recorder = new();
    private TestApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync(azurite.ConnectionString, configure: builder =>
        {
            builder.Services.AddSingleton(_recorder);
            // The recorder stands in for the app's own function on the telemetry hub (one function per local hub).
            builder.Services.Remove(builder.Services.Single(d => d.ImplementationInstance is FunctionDefinition { Name: TelemetryIngestFunction.Name }));
            builder.Services.AddEventHubFunction<RecordingEventHubFunction>("TestEvents", "telemetry", "TelemetryEventHub",
                new RetryPolicy(3, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)));
        });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private EventHubsProducerClient Producer(string? connectionString = null) =>
        new(connectionString ?? _app.TelemetryConnectionString, new EventHubsProducerClientOptions { Retry = { MaxRetries = 0 } });

    private IEnumerable<string> DeliveredBodies() =>
        _recorder.Inputs.Cast<EventBatch>().SelectMany(b => b.Events).Select(e => Encoding.UTF8.GetString(e.Body.Span));

    private string ValidSignature() =>
        SharedAccessSignature.Create(new Uri(_app.BaseAddress, "telemetry"), TestApp.TelemetryKeyName, TestApp.TelemetryKey, DateTimeOffset.UtcNow.AddHours(1));

    private async Task<HttpStatusCode> PostAsync(HttpContent content, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/telemetry/messages") { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", signature);
        return (await _app.Client.SendAsync(request)).StatusCode;
    }

    private Task<HttpStatusCode> PostWithSignatureAsync(string signature) => PostAsync(new StringContent("""{"seq":1}"""), signature);

    [Fact]
    public async Task A_batch_sent_with_the_rest_api_reaches_the_function_with_bodies_and_partition_keys()
    {
        var response = await Producer().SendBatchAsync([new("""{"gatewayId":"GW00009001PV","seq":1}""", "GW00009001PV"), new("""{"gatewayId":"GW00009002PV","seq":1}""", "GW00009002PV")]);

        Assert.Equal(201, response.Status);
        Assert.Equal(["""{"gatewayId":"GW00009001PV","seq":1}""", """{"gatewayId":"GW00009002PV","seq":1}"""], DeliveredBodies());
        Assert.Equal(["GW00009001PV", "GW00009002PV"], _recorder.Inputs.Cast<EventBatch>().SelectMany(b => b.Events).Select(e => e.PartitionKey!));
    }

    [Fact]
    public async Task A_single_event_is_delivered_as_a_batch_of_one()
    {
        var response = await Producer().SendAsync(Encoding.UTF8.GetBytes("""{"seq":42}"""));

        Assert.Equal(201, response.Status);
        Assert.Equal(["""{"seq":42}"""], DeliveredBodies());
    }

    [Fact]
    public async Task Events_are_delivered_in_batches_no_larger_than_max_event_batch_size()
    {
        var events = Enumerable.Range(1, 2500).Select(i => new OutgoingEvent($$"""{"seq":{{i}}}""")).ToList();

        await Producer().SendBatchAsync(events);

        Assert.Equal(events.Select(e => e.Body), DeliveredBodies());
        Assert.All(_recorder.Inputs.Cast<EventBatch>(), b => Assert.InRange(b.Events.Count, 1, 1000));
    }

    [Fact]
    public async Task A_failing_batch_is_retried_under_the_retry_policy_before_the_sender_hears_201()
    {
        _recorder.FailNext(2);

        var response = await Producer().SendBatchAsync([new("""{"seq":1}""")]);

        Assert.Equal(201, response.Status);
        Assert.Equal([0, 1, 2], _recorder.Inputs.Cast<EventBatch>().Select(b => b.Attempt.RetryCount));
    }

    [Fact]
    public async Task A_batch_that_keeps_failing_is_refused_with_503_so_the_sender_resends()
    {
        _recorder.FailNext(int.MaxValue);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => Producer().SendBatchAsync([new("""{"seq":1}""")]));

        Assert.Equal(503, error.Status);
        Assert.Equal(4, _recorder.Calls);
    }

    [Fact]
    public async Task A_wrong_key_gets_401_and_nothing_is_delivered()
    {
        var wrongKey = TestApp.TelemetryConnection(_app.BaseAddress).Replace(TestApp.TelemetryKey, "guessed-key", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => Producer(wrongKey).SendBatchAsync([new("""{"seq":1}""")]));

        Assert.Equal(401, error.Status);
        Assert.Equal(0, _recorder.Calls);
    }

    [Fact]
    public async Task Expired_unsigned_wrong_key_name_or_other_hub_signatures_get_401_and_nothing_is_delivered()
    {
        var hub = new Uri(_app.BaseAddress, "telemetry");
        var expired = SharedAccessSignature.Create(hub, TestApp.TelemetryKeyName, TestApp.TelemetryKey, DateTimeOffset.UtcNow.AddMinutes(-1));
        var otherName = SharedAccessSignature.Create(hub, "RootManageSharedAccessKey", TestApp.TelemetryKey, DateTimeOffset.UtcNow.AddHours(1));
        var otherHub = SharedAccessSignature.Create(new Uri(_app.BaseAddress, "alerts"), TestApp.TelemetryKeyName, TestApp.TelemetryKey, DateTimeOffset.UtcNow.AddHours(1));
        var valid = ValidSignature();
        var tampered = valid.Replace("se=", "se=9", StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Unauthorized, await PostWithSignatureAsync(expired));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostWithSignatureAsync(otherName));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostWithSignatureAsync(otherHub));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostWithSignatureAsync(tampered));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostWithSignatureAsync("Bearer something"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.Client.PostAsync("/telemetry/messages", new StringContent("{}"))).StatusCode);
        Assert.Equal(0, _recorder.Calls);
        Assert.Equal(HttpStatusCode.Created, await PostWithSignatureAsync(valid));
    }

    [Fact]
    public async Task A_malformed_batch_gets_400_and_nothing_is_delivered()
    {
        var batch = new StringContent("""[{"Body":"{}"},{"NoBody":true}]""");
        batch.Headers.ContentType = MediaTypeHeaderValue.Parse(EventHubsProducerClient.BatchContentType);

        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(batch, ValidSignature()));
        Assert.Equal(0, _recorder.Calls);
    }

    [Theory]
    [InlineData("a lone surrogate")]
    [InlineData("reversed surrogates after a good event")]
    [InlineData("a lone surrogate in a partition key")]
    [InlineData("invalid UTF-8")]
    public async Task A_batch_holding_text_that_is_not_unicode_gets_400_in_japanese_and_nothing_is_delivered(string batch)
    {
        var content = new ByteArrayContent(NotUnicodeBatches[batch]);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(EventHubsProducerClient.BatchContentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/telemetry/messages") { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", ValidSignature());

        using var response = await _app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("バッチの形式が正しくありません: ", problem.RootElement.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _recorder.Calls);
    }

    [Fact]
    public async Task A_request_over_one_megabyte_gets_413_and_nothing_is_delivered()
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(new ByteArrayContent(new byte[1_000_001]), ValidSignature()));
        Assert.Equal(0, _recorder.Calls);
    }

    [Fact]
    public async Task The_producer_refuses_a_batch_over_the_size_limit_before_sending()
    {
        var huge = new OutgoingEvent(new string('x', 1_000_001));

        await Assert.ThrowsAsync<ArgumentException>(() => Producer().SendBatchAsync([huge]));
        Assert.Equal(0, _recorder.Calls);
    }

    private string PublisherSignature(string publisher, DateTimeOffset? expiresAt = null) =>
        SharedAccessSignature.Create(new Uri(_app.BaseAddress, "telemetry/publishers/" + publisher), TestApp.TelemetryKeyName, TestApp.TelemetryKey, expiresAt ?? DateTimeOffset.UtcNow.AddHours(1));

    private async Task<HttpStatusCode> PostAsPublisherAsync(string path, string signature, string? brokerProperties = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("""{"seq":1}""") };
        request.Headers.TryAddWithoutValidation("Authorization", signature);
        if (brokerProperties is not null)
        {
            request.Headers.TryAddWithoutValidation("BrokerProperties", brokerProperties);
        }

        return (await _app.Client.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task A_publishers_token_sends_only_as_that_publisher_and_its_name_becomes_each_events_partition_key()
    {
        var signature = PublisherSignature("GW00009001PV");

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsPublisherAsync("/telemetry/publishers/GW00009002PV/messages", signature));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsPublisherAsync("/telemetry/publishers/GW00009001PV2/messages", signature));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsPublisherAsync("/telemetry/messages", signature));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsPublisherAsync("/telemetry/partitions/0/messages", signature));
        Assert.Equal(0, _recorder.Calls);

        Assert.Equal(HttpStatusCode.Created, await PostAsPublisherAsync("/telemetry/publishers/GW00009001PV/messages", signature));
        Assert.Equal(HttpStatusCode.Created, await PostAsPublisherAsync("/telemetry/publishers/GW00009001PV/messages", ValidSignature()));
        Assert.Equal(["GW00009001PV", "GW00009001PV"], _recorder.Inputs.Cast<EventBatch>().SelectMany(b => b.Events).Select(e => e.PartitionKey));
    }

    [Fact]
    public async Task A_send_as_a_publisher_naming_another_partition_key_gets_400_and_nothing_is_delivered()
    {
        var status = await PostAsPublisherAsync("/telemetry/publishers/GW00009001PV/messages", PublisherSignature("GW00009001PV"), """{"PartitionKey":"GW00009002PV"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(0, _recorder.Calls);
    }

    [Fact]
    public async Task A_signature_valid_for_more_than_seven_days_gets_401()
    {
        var farFuture = PublisherSignature("GW00009001PV", DateTimeOffset.UtcNow.AddDays(9999));
        var withinBound = PublisherSignature("GW00009001PV", DateTimeOffset.UtcNow.AddDays(6));

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsPublisherAsync("/telemetry/publishers/GW00009001PV/messages", farFuture));
        Assert.Equal(HttpStatusCode.Created, await PostAsPublisherAsync("/telemetry/publishers/GW00009001PV/messages", withinBound));
    }

    [Fact]
    public async Task A_revoked_publisher_gets_401_whatever_token_it_holds_and_other_publishers_still_send()
    {
        var hub = _app.Services.GetRequiredKeyedService<LocalEventHub>("TestEvents");

        hub.RevokePublisher("GW00009001PV");

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsPublisherAsync("/telemetry/publishers/GW00009001PV/messages", PublisherSignature("GW00009001PV")));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsPublisherAsync("/telemetry/publishers/GW00009001PV/messages", ValidSignature()));
        Assert.Equal(HttpStatusCode.Created, await PostAsPublisherAsync("/telemetry/publishers/GW00009002PV/messages", PublisherSignature("GW00009002PV")));
    }
}
