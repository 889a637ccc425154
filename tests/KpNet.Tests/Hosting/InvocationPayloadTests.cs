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
