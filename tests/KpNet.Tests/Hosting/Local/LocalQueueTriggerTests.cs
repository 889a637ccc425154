using Azure.Storage.Queues;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using KpNet.Hosting.Local;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ManualClock = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace KpNet.Tests.Hosting.Local;

public sealed class LocalQueueTriggerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly Recorder _recorder = new();
    private readonly string _queueName = UniqueName.For("trigger");
    private TestApp _app = null!;
    private QueueClient _queue = null!;
    private QueueClient _poison = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync(azurite.ConnectionString, configure: builder =>
        {
            builder.Services.AddSingleton(_recorder);
            builder.Services.AddQueueFunction<RecordingQueueFunction>("TestQueue", _queueName);
        });
        _queue = TestQueues.Queue(azurite.ConnectionString, _queueName);
        _poison = TestQueues.Queue(azurite.ConnectionString, _queueName + "-poison");
        await _queue.CreateIfNotExistsAsync();
        await _poison.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static async Task<long> CountAsync(QueueClient queue) => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    [Fact]
    public async Task A_message_is_handled_once_and_removed_from_the_queue()
    {
        await _queue.SendMessageAsync("""{"mail":"仮登録"}""");

        // Removed from the queue once handled: nothing is left to deliver again.
        await Eventually.ReturnsAsync(() => CountAsync(_queue), count => count == 0 && _recorder.Calls > 0, what: "the message to be handled");

        var message = Assert.IsType<QueueTriggerInput>(Assert.Single(_recorder.Inputs));
        Assert.Equal("""{"mail":"仮登録"}""", message.Text);
        Assert.Equal(1, message.DequeueCount);
        Assert.Equal(0, await CountAsync(_poison));
    }

    [Fact]
    public async Task A_message_that_fails_once_is_retried_and_then_handled()
    {
        _recorder.FailNext(1);
        await _queue.SendMessageAsync("retry me");

        await Eventually.ReturnsAsync(() => CountAsync(_queue), count => count == 0 && _recorder.Calls >= 2, what: "the retry");

        Assert.Equal([1L, 2L], _recorder.Inputs.Cast<QueueTriggerInput>().Select(m => m.DequeueCount));
        Assert.Equal(0, await CountAsync(_poison));
    }

    [Fact]
    public async Task A_message_that_always_fails_ends_in_the_poison_queue_after_five_tries()
    {
        _recorder.FailNext(int.MaxValue);
        await _queue.SendMessageAsync("always fails");

        await Eventually.ReturnsAsync(() => CountAsync(_poison), count => count == 1, what: "the poison message");

        // The copy reaches the poison queue before the original leaves the queue: never lost, even for a moment.
        await Eventually.ReturnsAsync(() => CountAsync(_queue), count => count == 0, what: "the original to leave the queue");
        Assert.Equal(5, _recorder.Calls);
        var poisoned = Assert.Single((await _poison.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);
        Assert.Equal("always fails", poisoned.Body.ToString());
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_to_poison_as_it_is_without_running_the_handler()
    {
        await TestQueues.Verbatim(azurite.ConnectionString, _queueName).SendMessageAsync("<not base64> ほげ");

        await Eventually.ReturnsAsync(() => CountAsync(_poison), count => count == 1, what: "the poison message");

        await Eventually.ReturnsAsync(() => CountAsync(_queue), count => count == 0, what: "the original to leave the queue");
        Assert.Equal(0, _recorder.Calls);
        var poisoned = Assert.Single((await TestQueues.Verbatim(azurite.ConnectionString, _queueName + "-poison").PeekMessagesAsync()).Value);
        Assert.Equal("<not base64> ほげ", poisoned.Body.ToString());
    }

    [Fact]
    public async Task A_message_that_is_not_base64_does_not_hold_back_the_good_message_received_with_it()
    {
        var queueName = UniqueName.For("mixed");
        var recorder = new Recorder();
        var queue = TestQueues.Queue(azurite.ConnectionString, queueName);
        await queue.CreateIfNotExistsAsync();
        await TestQueues.Verbatim(azurite.ConnectionString, queueName).SendMessageAsync("<not base64>");
        await queue.SendMessageAsync("good");

        // Both are waiting before the trigger starts, so its first receive takes them together.
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, configure: builder =>
        {
            builder.Services.AddSingleton(recorder);
            builder.Services.AddQueueFunction<RecordingQueueFunction>("MixedQueue", queueName);
        });

        await Eventually.ReturnsAsync(() => CountAsync(queue), count => count == 0 && recorder.Calls > 0, what: "both messages to leave the queue");
        Assert.Equal(["good"], recorder.Inputs.Cast<QueueTriggerInput>().Select(m => m.Text));
        Assert.Equal(1, await CountAsync(TestQueues.Queue(azurite.ConnectionString, queueName + "-poison")));
    }

    [Fact]
    public async Task A_message_in_progress_when_the_app_stops_is_visible_again_at_once()
    {
        var queueName = UniqueName.For("stopping");
        var recorder = new Recorder();
        var queue = TestQueues.Queue(azurite.ConnectionString, queueName);
        await queue.CreateIfNotExistsAsync();
        var app = await TestApp.StartAsync(azurite.ConnectionString, configure: builder =>
        {
            builder.Services.AddSingleton(recorder);
            builder.Services.AddQueueFunction<NeverEndingQueueFunction>("StoppingQueue", queueName);
        });
        await queue.SendMessageAsync("slow");
        await Eventually.ReturnsAsync(() => Task.FromResult(recorder.Calls), calls => calls == 1, what: "the handler to start");

        await app.DisposeAsync();

        var again = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);
        Assert.Equal("slow", again.Body.ToString());
        Assert.Equal(2, again.DequeueCount);
    }

    [Fact]
    public async Task A_message_whose_handler_runs_past_half_the_hosts_lease_has_its_lease_renewed_and_is_still_given_back_at_stop()
    {
        // The host receives a message for 10 minutes and renews that at half time while the function runs.
        var halfTheHostsLease = TimeSpan.FromMinutes(5);
        var queueName = UniqueName.For("renewed");
        var recorder = new Recorder();
        var logs = new CapturedLogs();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var queue = TestQueues.Queue(azurite.ConnectionString, queueName);
        await queue.CreateIfNotExistsAsync();
        var app = await TestApp.StartAsync(azurite.ConnectionString, configure: builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Services.AddSingleton(recorder);
            builder.Services.AddQueueFunction<NeverEndingQueueFunction>("RenewedQueue", queueName);
            builder.Logging.AddProvider(logs.CreateProvider()).AddFilter(typeof(LocalQueueTrigger).FullName, LogLevel.Debug);
        });
        await queue.SendMessageAsync("slow");
        await Eventually.ReturnsAsync(() => Task.FromResult(recorder.Calls), calls => calls == 1, what: "the handler to start");

        clock.Advance(halfTheHostsLease);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(logs.Entries.Count(e => e.EventId.Name == "QueueMessageLeaseRenewed" && (string?)e.Values["QueueName"] == queueName)),
            renewals => renewals == 1,
            what: "the lease to be renewed");
        await app.DisposeAsync();

        // Giving the message back at stop needs the receipt the renewal returned: the first one no longer works.
        var again = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);
        Assert.Equal(2, again.DequeueCount);
        Assert.DoesNotContain(logs.Entries, e => e.EventId.Name == "QueueMessageHandlingFailed" && (string?)e.Values["QueueName"] == queueName);
    }

    [Fact]
    public async Task A_slow_message_does_not_hold_back_the_messages_behind_it()
    {
        var queueName = UniqueName.For("slowfirst");
        var recorder = new Recorder();
        var queue = TestQueues.Queue(azurite.ConnectionString, queueName);
        await queue.CreateIfNotExistsAsync();
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, configure: builder =>
        {
            builder.Services.AddSingleton(recorder);
            builder.Services.AddQueueFunction<NeverEndingQueueFunction>("SlowFirstQueue", queueName);
        });

        await queue.SendMessageAsync("slow");
        await Eventually.ReturnsAsync(() => Task.FromResult(recorder.Calls), calls => calls == 1, what: "the slow message to start");
        foreach (var text in new[] { "a", "b", "c" })
        {
            await queue.SendMessageAsync(text);
        }

        await Eventually.ReturnsAsync(() => Task.FromResult(recorder.Calls), calls => calls == 4, what: "the messages behind the slow one");
        Assert.Equal(["slow", "a", "b", "c"], recorder.Inputs.Cast<QueueTriggerInput>().Select(m => m.Text).Order(StringComparer.Ordinal).OrderBy(t => t != "slow"));
    }
}
