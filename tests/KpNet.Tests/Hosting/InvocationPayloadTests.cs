using System.Text;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;

namespace KpNet.Tests.Hosting;

public sealed class InvocationPayloadTests
{
    private static readonly FunctionDefinition Queue = new("Q", new QueueTrigger("q"), typeof(object));
    private static readonly FunctionDefinition Hub = new("H", new EventHubTrigger("telemetry", "TelemetryEventHub"), typeof(object));
    private static readonly FunctionDefinition Timer = new("T", new TimerTrigger("0 * * * * *"), typeof(object));

    private static object Read(FunctionDefinition function, string json) =>
        InvocationPayload.ReadTriggerInput(function, Encoding.UTF8.GetBytes(json), "inv-1");

    [Fact]
    public void Queue_text_encoded_twice_by_the_host_arrives_as_the_original_text()
    {
        var input = (QueueTriggerInput)Read(Queue, """
            {"Data":{"message":"\"{\\\"id\\\":\\\"m1\\\",\\\"件名\\\":\\\"仮登録\\\"}\""},
             "Metadata":{"DequeueCount":"3","Id":"\"abc\"","InsertionTime":"2026-11-21T10:00:00+00:00","sys":{"MethodName":"Q"}}}
            """);

        Assert.Equal("""{"id":"m1","件名":"仮登録"}""", input.Text);
        Assert.Equal(3, input.DequeueCount);
        Assert.Equal("abc", input.MessageId);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), input.InsertionTime);
    }

    [Fact]
    public void Queue_text_sent_once_encoded_or_as_an_object_is_accepted_too()
    {
        Assert.Equal("hello", ((QueueTriggerInput)Read(Queue, """{"Data":{"message":"hello"},"Metadata":{"DequeueCount":1}}""")).Text);
        Assert.Equal("""{"a":1}""", ((QueueTriggerInput)Read(Queue, """{"Data":{"message":{"a":1}}}""")).Text);
    }

    [Fact]
    public void Event_batch_held_in_a_string_yields_each_event_body_and_its_metadata()
    {
        var batch = (EventBatch)Read(Hub, """
            {"Data":{"events":"[\"{\\\"gatewayId\\\":\\\"GW1\\\",\\\"seq\\\":1}\",\"{\\\"gatewayId\\\":\\\"GW2\\\",\\\"seq\\\":7}\"]"},
             "Metadata":{"SequenceNumberArray":"[10,11]","PartitionKeyArray":"[\"GW1\",\"GW2\"]",
                         "EnqueuedTimeUtcArray":"[\"2026-11-21T10:00:00Z\",\"2026-11-21T10:00:01Z\"]",
                         "PartitionContext":{"PartitionId":"3"},"RetryContext":{"RetryCount":2,"MaxRetryCount":5}}}
            """);

        Assert.Equal(["""{"gatewayId":"GW1","seq":1}""", """{"gatewayId":"GW2","seq":7}"""], batch.Events.Select(e => Encoding.UTF8.GetString(e.Body.Span)));
        Assert.Equal([10L, 11L], batch.Events.Select(e => e.SequenceNumber!.Value));
        Assert.Equal(["GW1", "GW2"], batch.Events.Select(e => e.PartitionKey!));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 1, TimeSpan.Zero), batch.Events[1].EnqueuedTime);
        Assert.Equal("3", batch.PartitionId);
        Assert.Equal(2, batch.Attempt.RetryCount);
        Assert.Equal(5, batch.Attempt.MaxRetryCount);
    }

    [Fact]
    public void Event_batch_as_a_plain_array_of_objects_is_accepted()
    {
        var batch = (EventBatch)Read(Hub, """{"Data":{"events":[{"seq":1},{"seq":2}]},"Metadata":{}}""");

        Assert.Equal(["""{"seq":1}""", """{"seq":2}"""], batch.Events.Select(e => Encoding.UTF8.GetString(e.Body.Span)));
        Assert.Equal(0, batch.Attempt.RetryCount);
    }

    [Fact]
    public void Timer_info_gives_past_due_and_schedule_status()
    {
        var timer = (TimerInput)Read(Timer, """
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-21T10:00:00Z","Next":"2026-11-21T10:05:00Z"},"IsPastDue":true}},"Metadata":{}}
            """);

        Assert.True(timer.IsPastDue);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 5, 0, TimeSpan.Zero), timer.Next);
    }

    // The fixtures below are whole payloads as the 4.x host POSTs them to a custom handler. What shapes them (host source):
    // ScriptInvocationContextExtensions.ToHttpScriptInvocationContext puts the trigger's binding data in Metadata (keys ending
    // in "Trigger" left out) and adds RetryContext {RetryCount, MaxRetryCount, Exception}; GetHttpScriptInvocationContextValue
    // keeps DateTime/DateTimeOffset and objects (JObject.FromObject) as JSON values and turns anything else (strings, numbers,
    // arrays) into JsonConvert.SerializeObject text stored as a string; the body is written by Newtonsoft's
    // JsonMediaTypeFormatter (HttpScriptInvocationContextExtensions.ToHttpRequestMessage), so an Exception is its ISerializable
    // fields and a DateTime of unspecified kind has no zone.

    [Fact]
    public void Host_queue_payload_gives_the_message_its_id_dequeue_count_and_insertion_time()
    {
        // Queue extension (azure-sdk-for-net, QueueTriggerBinding.CreateBindingData): DequeueCount is a long, so it comes as the
        // string "1"; Id and PopReceipt are strings, so JSON-encoded twice; the times are DateTimeOffsets.
        var input = (QueueTriggerInput)Read(Queue, """
            {"Data":{"message":"\"{\\\"mailId\\\":\\\"act-0001\\\",\\\"kind\\\":\\\"activation\\\"}\""},
             "Metadata":{"DequeueCount":"1","ExpirationTime":"2026-12-08T03:00:00+00:00","Id":"\"6f1c2a9e-5b0d-4c1e-9a7e-2f4b8c0d1e3a\"",
                         "InsertionTime":"2026-12-01T03:00:00+00:00","NextVisibleTime":"2026-12-01T03:10:00+00:00",
                         "PopReceipt":"\"AgAAAAMAAAAAAAAAtLh3l4hh3AE=\"",
                         "sys":{"MethodName":"SendEmail","UtcNow":"2026-12-01T03:00:00.1234567Z","RandGuid":"0d3c52f4-64b4-4a5e-8c6e-0b0f5f1d2c3b"}}}
            """);

        Assert.Equal("""{"mailId":"act-0001","kind":"activation"}""", input.Text);
        Assert.Equal("6f1c2a9e-5b0d-4c1e-9a7e-2f4b8c0d1e3a", input.MessageId);
        Assert.Equal(1, input.DequeueCount);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero), input.InsertionTime);
        Assert.Equal(0, input.Attempt.RetryCount);
    }

    [Fact]
    public void Host_event_batch_with_zoneless_enqueued_times_property_arrays_and_a_retry_context_reads_as_utc_events_and_the_retry()
    {
        // Event Hubs extension (azure-sdk-for-net, EventHubTriggerBindingStrategy.AddBindingData): EnqueuedTimeUtcArray holds
        // EnqueuedTime.DateTime (kind unspecified, so no zone, but UTC); PropertiesArray and SystemPropertiesArray hold
        // dictionaries; every array comes as a string holding JSON. The retry's Exception is the failure of the try before.
        var batch = (EventBatch)Read(Hub, """
            {"Data":{"events":"[\"{\\\"gatewayId\\\":\\\"GW1\\\",\\\"seq\\\":1}\",\"{\\\"gatewayId\\\":\\\"GW2\\\",\\\"seq\\\":7}\"]"},
             "Metadata":{
               "PartitionContext":{"FullyQualifiedNamespace":"kpnet-prod.servicebus.windows.net","EventHubName":"telemetry","ConsumerGroup":"kpnet-functions","PartitionId":"3"},
               "PartitionKeyArray":"[null,\"GW2\"]",
               "OffsetArray":"[\"4294967296\",\"4294967768\"]",
               "SequenceNumberArray":"[1042,1043]",
               "EnqueuedTimeUtcArray":"[\"2026-12-01T03:00:00\",\"2026-12-01T03:00:00.512\"]",
               "PropertiesArray":"[{},{\"source\":\"simulator\"}]",
               "SystemPropertiesArray":"[{\"x-opt-sequence-number\":1042,\"x-opt-offset\":\"4294967296\",\"x-opt-enqueued-time\":\"2026-12-01T03:00:00+00:00\",\"SequenceNumber\":1042,\"Offset\":4294967296,\"PartitionKey\":null,\"EnqueuedTimeUtc\":\"2026-12-01T03:00:00\"},{\"x-opt-sequence-number\":1043,\"x-opt-offset\":\"4294967768\",\"x-opt-enqueued-time\":\"2026-12-01T03:00:00.512+00:00\",\"x-opt-partition-key\":\"GW2\",\"SequenceNumber\":1043,\"Offset\":4294967768,\"PartitionKey\":\"GW2\",\"EnqueuedTimeUtc\":\"2026-12-01T03:00:00.512\"}]",
               "sys":{"MethodName":"TelemetryIngest","UtcNow":"2026-12-01T03:00:02.0000000Z","RandGuid":"5a0f3c1e-2b7d-4e8a-9c6f-1d2e3f4a5b6c"},
               "RetryContext":{"RetryCount":2,"MaxRetryCount":5,"Exception":{
                 "ClassName":"Microsoft.Azure.WebJobs.Host.FunctionInvocationException","Message":"Exception while executing function: Functions.TelemetryIngest",
                 "Data":null,"InnerException":{"ClassName":"System.Net.Http.HttpRequestException","Message":"Response status code does not indicate success: 500 (Internal Server Error).",
                   "Data":null,"InnerException":null,"HelpURL":null,"StackTraceString":"   at System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode()",
                   "RemoteStackTraceString":null,"RemoteStackIndex":0,"ExceptionMethod":null,"HResult":-2146233088,"Source":"System.Net.Http","WatsonBuckets":null},
                 "HelpURL":null,"StackTraceString":null,"RemoteStackTraceString":null,"RemoteStackIndex":0,"ExceptionMethod":null,"HResult":-2146233088,
                 "Source":"Microsoft.Azure.WebJobs.Host","WatsonBuckets":null}}}}
            """);

        Assert.Equal(["""{"gatewayId":"GW1","seq":1}""", """{"gatewayId":"GW2","seq":7}"""], batch.Events.Select(e => Encoding.UTF8.GetString(e.Body.Span)));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero), batch.Events[0].EnqueuedTime);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 3, 0, 0, 512, TimeSpan.Zero), batch.Events[1].EnqueuedTime);
        Assert.Equal([1042L, 1043L], batch.Events.Select(e => e.SequenceNumber!.Value));
        Assert.Equal([null, "GW2"], batch.Events.Select(e => e.PartitionKey));
        Assert.Equal("3", batch.PartitionId);
        Assert.Equal(2, batch.Attempt.RetryCount);
        Assert.Equal(5, batch.Attempt.MaxRetryCount);
    }

    [Fact]
    public void Host_timer_payload_without_a_schedule_status_is_a_run_with_no_last_or_next()
    {
        // TimerInfo through JObject.FromObject: ScheduleStatus is null until the schedule monitor has recorded a run.
        var timer = (TimerInput)Read(Timer, """
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}},
             "Metadata":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false},
                         "sys":{"MethodName":"OfflineSweep","UtcNow":"2026-12-01T03:05:00.0012345Z","RandGuid":"9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"}}}
            """);

        Assert.False(timer.IsPastDue);
        Assert.Null(timer.Last);
        Assert.Null(timer.Next);
        Assert.Equal(0, timer.Attempt.RetryCount);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[]", "\"Data\"")]
    [InlineData("""{"Data":{}}""", "\"message\"")]
    [InlineData("""{"Data":{"message":null}}""", "null")]
    [InlineData("""{"Data":{"message":"x"},"Metadata":{"DequeueCount":"many"}}""", "DequeueCount")]
    public void Malformed_queue_payloads_are_rejected_with_the_reason(string json, string reasonPart)
    {
        var error = Assert.Throws<MalformedInvocationException>(() => Read(Queue, json));
        Assert.Contains(reasonPart, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"Data":{"events":"not an array"}}""")]
    [InlineData("""{"Data":{"events":"{\"a\":1}"}}""")]
    [InlineData("""{"Data":{"events":"[1,2]"}}""")]
    public void Malformed_event_batches_are_rejected(string json) =>
        Assert.Throws<MalformedInvocationException>(() => Read(Hub, json));

    [Fact]
    public void The_payload_written_for_local_triggers_reads_back_the_same_way_as_the_hosts()
    {
        var payload = InvocationPayload.Write("message", w => InvocationPayload.WriteHostString(w, "本文 \"quoted\""), m => m.WriteString("DequeueCount", "2"));

        var input = (QueueTriggerInput)InvocationPayload.ReadTriggerInput(Queue, payload, "inv-2");

        Assert.Equal("本文 \"quoted\"", input.Text);
        Assert.Equal(2, input.DequeueCount);
    }
}
