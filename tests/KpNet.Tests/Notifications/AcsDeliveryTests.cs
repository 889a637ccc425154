using System.Diagnostics.Metrics;
using KpNet.Azure.Email;
using KpNet.Notifications;
using KpNet.Observability;
using KpNet.Tests.Email;
using KpNet.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;

namespace KpNet.Tests.Notifications;

/// <summary>The app's SendEmail function against the fake ACS (signatures, body shape, 429/5xx/4xx answers) through the real email-outbox queue.</summary>
public sealed class AcsDeliveryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Sender = "no-reply@kpnet.example.jp";

    private readonly List<TestApp> _apps = [];
    private readonly CapturedLogs _logs = new();
    private FakeEmailService _acs = null!;

    public async Task InitializeAsync() => _acs = await FakeEmailService.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        await _acs.DisposeAsync();
    }

    [Fact]
    public async Task A_queued_mail_reaches_acs_once_with_its_japanese_subject_text_and_html_intact()
    {
        var app = await StartAppAsync();
        var mail = new OutgoingMail(
            Guid.NewGuid().ToString(), "hanako@example.jp", "【アカウント仮登録のお知らせ】",
            "御室 花子 様\n\nアカウントは仮登録の状態です。", "<p>御室 花子 様</p><p>アカウントは仮登録の状態です。</p>", "activation");
        using var sent = Collector<long>(app, "kpnet.mail.sent");
        using var outboxAge = Collector<double>(app, "kpnet.mail.outbox.age");

        await Outbox(app).EnqueueAsync(mail, CancellationToken.None);
        await SentAsync(mail.Id);

        var accepted = Assert.Single(_acs.Accepted, a => a.OperationId == mail.Id);
        Assert.Equal(Sender, accepted.SenderAddress);
        Assert.Equal("hanako@example.jp", Assert.Single(accepted.To).Address);
        Assert.Equal("【アカウント仮登録のお知らせ】", accepted.Subject);
        Assert.Equal(mail.Text, accepted.PlainText);
        Assert.Equal(mail.Html, accepted.Html);
        Assert.Equal("activation", accepted.Headers["x-kpnet-kind"]);
        Assert.Equal("activation", Assert.Single(sent.GetMeasurementSnapshot()).Tags["kind"]);
        Assert.InRange(Assert.Single(outboxAge.GetMeasurementSnapshot()).Value, 0, 60);
    }

    [Fact]
    public async Task The_same_mail_queued_twice_and_polled_by_two_instances_is_accepted_once()
    {
        var first = await StartAppAsync();
        await StartAppAsync();
        var mails = Enumerable.Range(1, 10).Select(i => Mail($"重複テスト {i}")).ToList();

        await Task.WhenAll(mails.SelectMany(m => new[] { Outbox(first).EnqueueAsync(m, CancellationToken.None), Outbox(first).EnqueueAsync(m, CancellationToken.None) }));
        foreach (var mail in mails)
        {
            await SentAsync(mail.Id);
        }

        await OutboxDrainedAsync();

        var ids = mails.Select(m => m.Id).ToHashSet();
        Assert.Equal(ids.Order(), _acs.Accepted.Where(a => ids.Contains(a.OperationId)).Select(a => a.OperationId).Order());
        Assert.Contains(_logs.Entries, e => e.EventId.Name == "MailAlreadySent");
    }

    [Fact]
    public async Task A_mail_is_delivered_once_after_acs_answers_503_more_often_than_the_client_retries()
    {
        var app = await StartAppAsync();
        await OutboxDrainedAsync(); // Mails other tests left behind must not absorb the scripted failures.
        var mail = Mail("障害テスト");
        _acs.FailNext(4, 503);

        await Outbox(app).EnqueueAsync(mail, CancellationToken.None);
        await SentAsync(mail.Id);

        Assert.Single(_acs.Accepted, a => a.OperationId == mail.Id);
        Assert.Contains(_logs.Entries, e => e.EventId.Name == "MailDeferred" && (string?)e.Values["MailId"] == mail.Id);
        Assert.All(_acs.Requests.Where(r => r.Status == 503), r => Assert.Equal(mail.Id, r.OperationId));
    }

    [Fact]
    public async Task A_burst_of_200_mails_under_acs_rate_limiting_is_all_accepted_exactly_once_and_none_is_poisoned()
    {
        var app = await StartAppAsync();
        _acs.LimitSends(20, TimeSpan.FromSeconds(1));
        var batch = Guid.NewGuid().ToString("N")[..8];
        var mails = Enumerable.Range(1, 200).Select(i => Mail($"{batch} お知らせ {i:D3}")).ToList();

        foreach (var chunk in mails.Chunk(20))
        {
            await Task.WhenAll(chunk.Select(m => Outbox(app).EnqueueAsync(m, CancellationToken.None)));
        }

        var subjects = await Eventually.ReturnsAsync(
            () => Task.FromResult(_acs.Accepted.Where(a => a.Subject.StartsWith(batch, StringComparison.Ordinal)).Select(a => a.Subject).ToList()),
            accepted => accepted.Count >= mails.Count,
            timeout: TimeSpan.FromMinutes(3),
            what: "all 200 mails at ACS");
        await OutboxDrainedAsync();

        Assert.Equal(mails.Select(m => m.Subject).Order(StringComparer.Ordinal), _acs.Accepted.Where(a => a.Subject.StartsWith(batch, StringComparison.Ordinal)).Select(a => a.Subject).Order(StringComparer.Ordinal));
        Assert.Equal(mails.Count, subjects.Distinct().Count());
        Assert.Contains(_acs.Requests, r => r.Status == 429);
        Assert.DoesNotContain(await PoisonedTextsAsync(), text => text.Contains(batch, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mail_acs_refuses_with_400_is_poisoned_at_once_with_a_structured_log_and_never_retried()
    {
        var app = await StartAppAsync();
        var mail = Mail("宛先不正テスト") with { To = "not-an-address" };
        using var failed = Collector<long>(app, "kpnet.mail.failed");
        using var sent = Collector<long>(app, "kpnet.mail.sent");

        await Outbox(app).EnqueueAsync(mail, CancellationToken.None);
        await Eventually.ReturnsAsync(PoisonedTextsAsync, texts => texts.Any(t => t.Contains(mail.Id, StringComparison.Ordinal)), what: "the mail in email-outbox-poison");

        Assert.DoesNotContain(_acs.Accepted, a => a.OperationId == mail.Id);
        var attempt = Assert.Single(_acs.Requests, r => r.OperationId == mail.Id);
        Assert.Equal(400, attempt.Status);
        var rejected = Assert.Single(_logs.Entries, e => e.EventId.Name == "MailRejected" && (string?)e.Values["MailId"] == mail.Id);
        Assert.Equal(LogLevel.Error, rejected.Level);
        Assert.Equal(2002, rejected.EventId.Id);
        Assert.Equal("test", rejected.Values["Kind"]);
        Assert.Equal(400, rejected.Values["Status"]);
        Assert.Equal("InvalidRequest", rejected.Values["ErrorCode"]);
        Assert.DoesNotContain("not-an-address", rejected.Message, StringComparison.Ordinal);
        var delivery = (await MailStorage.DeliveryAsync(azurite.ConnectionString, mail.Id))!;
        Assert.Equal("Failed", delivery.GetString("Status"));
        Assert.Equal("InvalidRequest", delivery.GetString("ErrorCode"));
        Assert.Equal("test", Assert.Single(failed.GetMeasurementSnapshot()).Tags["kind"]);
        Assert.Empty(sent.GetMeasurementSnapshot());
        await OutboxDrainedAsync();
        Assert.Single(_acs.Requests, r => r.OperationId == mail.Id);
    }

    [Theory]
    [InlineData("""{"id":"MARK","kind":"test"}""")]
    [InlineData("""{"id":"MARK","to":null,"subject":"件名","text":"本文","html":null,"kind":"test"}""")]
    public async Task An_outbox_message_missing_what_a_mail_needs_is_poisoned_at_once_without_reaching_acs(string template)
    {
        await StartAppAsync();
        var id = Guid.NewGuid().ToString();
        var text = template.Replace("MARK", id, StringComparison.Ordinal);

        await TestQueues.Queue(azurite.ConnectionString, EmailOutbox.QueueName).SendMessageAsync(text);
        await Eventually.ReturnsAsync(PoisonedTextsAsync, texts => texts.Contains(text), what: "the message in email-outbox-poison");

        Assert.Contains(_logs.Entries, e => e.EventId.Name == "OutboxMessageUnreadable");
        Assert.DoesNotContain(_acs.Requests, r => r.OperationId == id);
        Assert.Null(await MailStorage.DeliveryAsync(azurite.ConnectionString, id));
    }

    private static OutgoingMail Mail(string subject) =>
        new(Guid.NewGuid().ToString(), $"user-{Guid.NewGuid():N}@example.jp", subject, subject + "\n\n本文です。", null, "test");

    private static EmailOutbox Outbox(TestApp app) => app.Services.GetRequiredService<EmailOutbox>();

    /// <summary>The app's ACS sender against <paramref name="acs"/>, its client retrying in milliseconds instead of seconds.</summary>
    internal static AcsMailSender SenderTo(FakeEmailService acs)
    {
        var options = new EmailClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(20);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        return new AcsMailSender(new EmailClient(acs.ConnectionString, options), Sender);
    }

    /// <summary>What the app's own meter records on one instrument (not another app's in this process).</summary>
    private static MetricCollector<T> Collector<T>(TestApp app, string instrument)
        where T : struct =>
        new(app.Services.GetRequiredService<IMeterFactory>(), KpNetMetrics.MeterName, instrument);

    private async Task<TestApp> StartAppAsync()
    {
        var sender = SenderTo(_acs);
        var app = await TestApp.StartAsync(azurite.ConnectionString, configure: (WebApplicationBuilder builder) =>
        {
            builder.Services.AddSingleton<IMailSender>(sender);
            builder.Logging.AddProvider(_logs.CreateProvider());
        });
        _apps.Add(app);
        return app;
    }

    private async Task SentAsync(string mailId) =>
        await Eventually.ReturnsAsync(
            async () => (await MailStorage.DeliveryAsync(azurite.ConnectionString, mailId))?.GetString("Status"),
            status => status == "Sent",
            timeout: TimeSpan.FromMinutes(1),
            what: $"mail {mailId} marked sent");

    private async Task OutboxDrainedAsync() =>
        await Eventually.ReturnsAsync(() => MailStorage.OutboxCountAsync(azurite.ConnectionString), count => count == 0, timeout: TimeSpan.FromMinutes(1), what: "the outbox to drain");

    // Receiving hides each message for a few seconds, which walks the whole poison queue without removing anything.
    private async Task<List<string>> PoisonedTextsAsync()
    {
        var poison = TestQueues.Queue(azurite.ConnectionString, SendEmailFunction.PoisonQueueName);
        await poison.CreateIfNotExistsAsync();
        var texts = new Dictionary<string, string>();
        while (true)
        {
            var messages = (await poison.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(5))).Value;
            if (!messages.Any(m => texts.TryAdd(m.MessageId, m.Body.ToString())))
            {
                return [.. texts.Values];
            }
        }
    }
}
