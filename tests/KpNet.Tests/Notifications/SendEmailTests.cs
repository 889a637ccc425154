using System.Net.Http.Json;
using KpNet.Notifications;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Notifications;

public sealed class SendEmailTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private sealed record DevMailView(string To, string Subject, string Text, DateTimeOffset SentAt);

    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<List<DevMailView>> MailboxAsync() => (await _app.Client.GetFromJsonAsync<List<DevMailView>>("/api/dev/mail"))!;

    [Fact]
    public async Task A_queued_mail_is_delivered_to_the_local_mailbox_and_listed_with_its_japanese_subject_and_text()
    {
        var mail = new OutgoingMail(Guid.NewGuid().ToString("N"), "hanako@example.jp", "【アカウント仮登録のお知らせ】", "御室 花子 様\nご登録ありがとうございます。", null, "activation");

        await _app.Services.GetRequiredService<EmailOutbox>().EnqueueAsync(mail, CancellationToken.None);
        var delivered = await Eventually.ReturnsAsync(MailboxAsync, mails => mails.Count == 1, what: "the mail");

        Assert.Equal("hanako@example.jp", delivered[0].To);
        Assert.Equal("【アカウント仮登録のお知らせ】", delivered[0].Subject);
        Assert.Equal("御室 花子 様\nご登録ありがとうございます。", delivered[0].Text);
        Assert.Single(Directory.GetFiles(Path.Combine(_app.DataFolder, "mail"), "*.eml"));
    }

    [Fact]
    public async Task A_redelivered_outbox_message_does_not_send_the_mail_twice()
    {
        var outbox = _app.Services.GetRequiredService<EmailOutbox>();
        var mail = new OutgoingMail(Guid.NewGuid().ToString("N"), "taro@example.jp", "件名", "本文", null, "test");

        await outbox.EnqueueAsync(mail, CancellationToken.None);
        await Eventually.ReturnsAsync(MailboxAsync, mails => mails.Count == 1, what: "the first delivery");
        await outbox.EnqueueAsync(mail, CancellationToken.None);
        await Eventually.ReturnsAsync(
            async () => (await TestQueues.Queue(azurite.ConnectionString, EmailOutbox.QueueName).GetPropertiesAsync()).Value.ApproximateMessagesCount,
            count => count == 0, what: "the redelivery to be consumed");

        Assert.Single(await MailboxAsync());
    }
}
