using System.Globalization;
using System.Net.Http.Headers;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using KpNet.Hosting;
using KpNet.Hosting.Invocation;
using KpNet.Notifications;
using KpNet.Tests.Email;
using KpNet.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ManualClock = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace KpNet.Tests.Notifications;

/// <summary>
/// SendEmail when storage or an instance fails mid-send: the mail still goes out once, and soon. The apps run on a clock
/// that moves only when the test moves it, so minutes of leases and back-off pass in moments; each test has a storage
/// account of its own, so its held messages and moved clocks touch no other test's outbox.
/// </summary>
public sealed class SendEmailRecoveryTests : IAsyncLifetime
{
    /// <summary>How late a mail may be after its instance died: the claim lease plus one look at the claim, with room for the test's clock steps.</summary>
    private static readonly TimeSpan AboutAMinute = TimeSpan.FromSeconds(75);

    /// <summary>How late a mail may be after its whole instance died: the claim lease, one look at stalled mails every 30 s, and the test's clock steps.</summary>
    private static readonly TimeSpan AboutAMinuteAndAHalf = TimeSpan.FromSeconds(95);

    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly CapturedLogs _logs = new();
    private readonly List<TestApp> _apps = [];

    /// <summary>The host's calls into instances that died; dropped first, as the host's would be, so those apps can stop.</summary>
    private readonly List<HttpClient> _hostCalls = [];
    private FakeEmailService _acs = null!;
    private string _storage = "";

    public async Task InitializeAsync()
    {
        _storage = await AzuriteFixture.LeaseAccountAsync();
        _acs = await FakeEmailService.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var call in _hostCalls)
        {
            call.Dispose();
        }

        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        await _acs.DisposeAsync();
    }

    [Fact]
    public async Task A_sent_mark_storage_refuses_a_few_times_is_retried_so_the_mail_goes_out_once_and_ends_sent()
    {
        const int Refusals = 3;
        var faults = new TableFaults();
        var sender = new AfterFirstSend(AcsDeliveryTests.SenderTo(_acs), () => faults.FailNextWrites(MailDeliveries.TableName, Refusals, IsSentMark));
        var app = await StartAppAsync(_clock, sender, builder => builder.Services.AddSingleton(faults.Registration));
        var mail = Mail("送信記録の一時障害");

        await Outbox(app).EnqueueAsync(mail, CancellationToken.None);
        await Eventually.ReturnsWhileAdvancingAsync(
            _clock, TimeSpan.FromSeconds(1), () => DeliveryAsync(mail.Id), delivery => delivery is { Status: "Sent", OutboxMessages: 0 }, timeout: TimeSpan.FromMinutes(1), what: $"mail {mail.Id} sent");

        Assert.Single(_acs.Accepted, a => a.OperationId == mail.Id);
        Assert.Equal(Refusals, _logs.Entries.Count(e => e.EventId.Name == "MailSentMarkRetried" && (string?)e.Values["MailId"] == mail.Id));
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Name == "MailClaimTakenOver");
    }

    [Fact]
    public async Task A_mail_whose_instance_died_mid_send_is_delivered_by_another_instance_within_about_a_minute_exactly_once()
    {
        var (mail, queue, message) = await SendOnAnInstanceAboutToDieAsync("停止したインスタンス");

        // The handler process dies here (its clock never moves again, so it renews nothing): the host's call fails and
        // the host gives the message back after visibilityTimeout (0 in tests); another instance picks it up.
        var diedAt = _clock.GetUtcNow();
        await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        await StartAppAsync(_clock, AcsDeliveryTests.SenderTo(_acs));

        // Nothing may happen before the claim's lease ends; from there the clock moves in small steps.
        _clock.Advance(TimeSpan.FromSeconds(55));
        var delivered = await Eventually.ReturnsWhileAdvancingAsync(
            _clock, TimeSpan.FromMilliseconds(100), () => DeliveryAsync(mail.Id), delivery => delivery is { Status: "Sent", OutboxMessages: 0 }, timeout: TimeSpan.FromMinutes(1), what: $"mail {mail.Id} sent");

        Assert.InRange(delivered.SentAt!.Value - diedAt, TimeSpan.Zero, AboutAMinute);
        Assert.Single(_acs.Accepted, a => a.OperationId == mail.Id);
        Assert.Single(_logs.Entries, e => e.EventId.Name == "MailClaimTakenOver" && (string?)e.Values["MailId"] == mail.Id);
    }

    [Fact]
    public async Task A_mail_whose_whole_instance_died_mid_send_goes_out_within_about_a_minute_and_a_half_although_the_host_still_holds_its_message()
    {
        var (mail, queue, message) = await SendOnAnInstanceAboutToDieAsync("インスタンスごと停止");

        // The whole instance dies here: nothing gives the message back, and the host that received it keeps it from every
        // other instance for its 10 minutes. Another instance is running.
        var diedAt = _clock.GetUtcNow();
        await StartAppAsync(_clock, AcsDeliveryTests.SenderTo(_acs));
        _clock.Advance(TimeSpan.FromSeconds(55));
        var delivered = await Eventually.ReturnsWhileAdvancingAsync(
            _clock, TimeSpan.FromMilliseconds(500), () => DeliveryAsync(mail.Id), delivery => delivery is { Status: "Sent", OutboxMessages: 1 }, timeout: TimeSpan.FromMinutes(1), what: $"mail {mail.Id} sent and only the held original left");
        Assert.InRange(delivered.SentAt!.Value - diedAt, MailDeliveries.ClaimLease, AboutAMinuteAndAHalf);
        Assert.Single(_logs.Entries, e => e.EventId.Name == "StalledMailRequeued" && (string?)e.Values["MailId"] == mail.Id);

        // Ten minutes on, the host's hold ends and the original comes back: it finds the mail sent.
        await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        await Eventually.ReturnsAsync(() => DeliveryAsync(mail.Id), delivery => delivery.OutboxMessages == 0, what: "the original message to be handled");
        Assert.Single(_logs.Entries, e => e.EventId.Name == "MailAlreadySent" && (string?)e.Values["MailId"] == mail.Id);
        Assert.Single(_acs.Accepted, a => a.OperationId == mail.Id);
        Assert.Equal(0, await MailStorage.InFlightCountAsync(_storage));
    }

    [Fact]
    public async Task A_mail_still_being_sent_is_not_queued_again_however_long_throttling_lasts()
    {
        var app = await StartAppAsync(_clock, AcsDeliveryTests.SenderTo(_acs));
        var mail = Mail("長いスロットリング");
        _acs.FailNext(int.MaxValue, 429);

        await Outbox(app).EnqueueAsync(mail, CancellationToken.None);
        await Eventually.ReturnsAsync(() => Task.FromResult(_acs.Requests.Count(r => r.OperationId == mail.Id)), count => count > 0, what: "ACS to throttle the mail");
        var throttledUntil = _clock.GetUtcNow() + TimeSpan.FromMinutes(2.5);
        await Eventually.ReturnsWhileAdvancingAsync(
            _clock, TimeSpan.FromMilliseconds(250), () => Task.FromResult(_clock.GetUtcNow()), now => now >= throttledUntil, timeout: TimeSpan.FromMinutes(1), what: "two and a half minutes of throttling");
        _acs.FailNext(0);
        await Eventually.ReturnsWhileAdvancingAsync(
            _clock, TimeSpan.FromMilliseconds(250), () => DeliveryAsync(mail.Id), delivery => delivery is { Status: "Sent", OutboxMessages: 0 }, timeout: TimeSpan.FromMinutes(1), what: $"mail {mail.Id} sent");

        Assert.Single(_acs.Accepted, a => a.OperationId == mail.Id);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Name is "StalledMailRequeued" or "MailAlreadySent" or "MailClaimTakenOver");
        Assert.Equal(0, await MailStorage.InFlightCountAsync(_storage));
    }

    [Fact]
    public async Task A_claim_is_renewed_while_its_invocation_waits_out_throttling_so_a_second_delivery_never_sends_in_parallel()
    {
        var app = await StartAppAsync(_clock, AcsDeliveryTests.SenderTo(_acs));
        var mail = Mail("スロットリング中の再配信");
        _acs.FailNext(int.MaxValue, 429);

        await Outbox(app).EnqueueAsync(mail, CancellationToken.None);
        await Eventually.ReturnsAsync(() => Task.FromResult(_acs.Requests.Count(r => r.OperationId == mail.Id)), count => count > 0, what: "ACS to throttle the mail");
        await Outbox(app).EnqueueAsync(mail, CancellationToken.None);
        var throttledUntil = _clock.GetUtcNow() + TimeSpan.FromMinutes(2);
        await Eventually.ReturnsWhileAdvancingAsync(
            _clock, TimeSpan.FromMilliseconds(250), () => Task.FromResult(_clock.GetUtcNow()), now => now >= throttledUntil, timeout: TimeSpan.FromMinutes(1), what: "two minutes of throttling");
        _acs.FailNext(0);
        await Eventually.ReturnsWhileAdvancingAsync(
            _clock, TimeSpan.FromMilliseconds(250), () => DeliveryAsync(mail.Id), delivery => delivery is { Status: "Sent", OutboxMessages: 0 }, timeout: TimeSpan.FromMinutes(1), what: $"mail {mail.Id} sent");

        Assert.Single(_acs.Accepted, a => a.OperationId == mail.Id);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Name == "MailClaimTakenOver");
        Assert.Contains(_logs.Entries, e => e.EventId.Name == "MailAlreadySent" && (string?)e.Values["MailId"] == mail.Id);
    }

    [Fact]
    public async Task A_mail_whose_app_stops_while_it_is_recorded_in_flight_is_given_back_and_the_next_app_sends_it_at_once()
    {
        var inFlightWrites = new HeldInFlightRecords();
        var stopping = await StartAppAsync(_clock, AcsDeliveryTests.SenderTo(_acs), builder => builder.Services.AddSingleton(inFlightWrites.Registration));
        var mail = Mail("記録中の停止");

        await Outbox(stopping).EnqueueAsync(mail, CancellationToken.None);
        await inFlightWrites.Holding.WaitAsync(TimeSpan.FromSeconds(30));
        _apps.Remove(stopping);
        await stopping.DisposeAsync();
        var afterStop = await DeliveryAsync(mail.Id);
        await StartAppAsync(_clock, AcsDeliveryTests.SenderTo(_acs));
        await Eventually.ReturnsAsync(() => DeliveryAsync(mail.Id), delivery => delivery is { Status: "Sent", OutboxMessages: 0 }, what: $"mail {mail.Id} sent by the next app");

        Assert.Null(afterStop.Status);
        Assert.Equal(0, afterStop.AcceptedByAcs);
        Assert.Single(_acs.Accepted, a => a.OperationId == mail.Id);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Name == "MailClaimTakenOver");
    }

    private sealed record Delivery(string? Status, DateTimeOffset? SentAt, int AcceptedByAcs, long OutboxMessages);

    private static OutgoingMail Mail(string subject) =>
        new(Guid.NewGuid().ToString(), $"user-{Guid.NewGuid():N}@example.jp", subject, subject + "\n\n本文です。", null, "test");

    private static EmailOutbox Outbox(TestApp app) => app.Services.GetRequiredService<EmailOutbox>();

    private static bool IsSentMark(string requestBody) => requestBody.Contains($"\"Status\":\"{nameof(MailDeliveryStatus.Sent)}\"", StringComparison.Ordinal);

    /// <summary>The queue invocation the Functions host posts for <paramref name="message"/>.</summary>
    private static ByteArrayContent InvocationOf(QueueMessage message) =>
        new(InvocationPayload.Write(
            "message",
            data => InvocationPayload.WriteHostString(data, message.Body.ToString()),
            metadata =>
            {
                metadata.WritePropertyName("Id");
                InvocationPayload.WriteHostString(metadata, message.MessageId);
                metadata.WriteString("DequeueCount", message.DequeueCount.ToString(CultureInfo.InvariantCulture));
            }))
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
        };

    private async Task<Delivery> DeliveryAsync(string mailId)
    {
        var row = await MailStorage.DeliveryAsync(_storage, mailId);
        return new Delivery(
            row?.GetString("Status"), row?.GetDateTimeOffset("SentAt"), _acs.Accepted.Count(a => a.OperationId == mailId), await MailStorage.OutboxCountAsync(_storage));
    }

    /// <summary>
    /// An instance under the Functions host starts sending a mail and stops there: as the host does, the test receives the
    /// message (invisible for the host's 10 minutes while its invocation runs) and invokes the handler, whose send never
    /// returns and whose clock never moves again, so it renews nothing.
    /// </summary>
    private async Task<(OutgoingMail Mail, QueueClient Queue, QueueMessage Message)> SendOnAnInstanceAboutToDieAsync(string subject)
    {
        await CreateMailStorageAsync();
        var dying = new DyingSender();
        var dead = await StartAppAsync(new ManualClock(_clock.GetUtcNow()), dying, underFunctionsHost: true);
        var mail = Mail(subject);
        await Outbox(dead).EnqueueAsync(mail, CancellationToken.None);
        var queue = TestQueues.Queue(_storage, EmailOutbox.QueueName);
        var message = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(10))).Value);
        var host = LoopbackClient.Create(dead.BaseAddress);
        host.Timeout = Timeout.InfiniteTimeSpan;
        _hostCalls.Add(host);
        _ = host.PostAsync("/" + SendEmailFunction.Name, InvocationOf(message));
        await dying.Sending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("Sending", (await DeliveryAsync(mail.Id)).Status);
        return (mail, queue, message);
    }

    // In Azure the infrastructure creates them; an app under the Functions host does not.
    private async Task CreateMailStorageAsync()
    {
        await AppTables.Client(_storage, MailDeliveries.TableName).CreateIfNotExistsAsync();
        await AppTables.Client(_storage, StalledMails.TableName).CreateIfNotExistsAsync();
        await TestQueues.Queue(_storage, EmailOutbox.QueueName).CreateIfNotExistsAsync();
    }

    private async Task<TestApp> StartAppAsync(TimeProvider clock, IMailSender sender, Action<WebApplicationBuilder>? configure = null, bool underFunctionsHost = false)
    {
        var app = await TestApp.StartAsync(_storage, underFunctionsHost: underFunctionsHost, configure: builder =>
        {
            builder.Services.AddSingleton(clock);
            builder.Services.AddSingleton(sender);
            builder.Logging.AddProvider(_logs.CreateProvider());
            configure?.Invoke(builder);
        });
        _apps.Add(app);
        return app;
    }

    /// <summary>Sends through <paramref name="inner"/>; once the first mail is out, runs <paramref name="afterFirst"/>.</summary>
    private sealed class AfterFirstSend(IMailSender inner, Action afterFirst) : IMailSender
    {
        private int _sent;

        public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
        {
            await inner.SendAsync(mail, cancellationToken);
            if (Interlocked.Exchange(ref _sent, 1) == 0)
            {
                afterFirst();
            }
        }
    }

    /// <summary>
    /// Storage that takes every in-flight record of a mail and never answers, so the invocation recording it is there
    /// when its app stops (only that stop's cancellation ends the write).
    /// </summary>
    private sealed class HeldInFlightRecords : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Holding => _holding.Task;

        public TablePolicy Registration => new(this, HttpPipelinePosition.PerCall);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Method == RequestMethod.Put && message.Request.Uri.ToUri().AbsolutePath.Contains($"/{StalledMails.TableName}(", StringComparison.Ordinal))
            {
                _holding.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, message.CancellationToken);
            }

            await ProcessNextAsync(message, pipeline);
        }
    }

    /// <summary>
    /// An instance that dies while sending: the send begins and never returns. (Only the end of the test, which drops the
    /// host's call, cancels it, so that the app can stop.)
    /// </summary>
    private sealed class DyingSender : IMailSender
    {
        private readonly TaskCompletionSource _sending = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Sending => _sending.Task;

        public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
        {
            _sending.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }
}
