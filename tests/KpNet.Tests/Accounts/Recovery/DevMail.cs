using System.Net.Http.Json;
using System.Text.RegularExpressions;
using KpNet.Notifications;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Accounts.Recovery;

/// <summary>The app's local mailbox (GET /api/dev/mail), read the way a user reads mail: by recipient and subject.</summary>
internal static partial class DevMail
{
    public sealed record Mail(string To, string Subject, string Text, DateTimeOffset SentAt);

    public static async Task<List<Mail>> ListAsync(TestApp app) => (await app.Client.GetFromJsonAsync<List<Mail>>("/api/dev/mail"))!;

    public static async Task<List<Mail>> ToAsync(TestApp app, string to, string subject) =>
        (await ListAsync(app)).Where(m => m.To == to && m.Subject == subject).ToList();

    /// <summary>Waits until <paramref name="count"/> mails with the subject have reached the address.</summary>
    public static Task<List<Mail>> WaitForAsync(TestApp app, string to, string subject, int count = 1) =>
        Eventually.ReturnsAsync(() => ToAsync(app, to, subject), mails => mails.Count >= count, Registration.RegistrationClient.MailTimeout, what: $"{count} mail(s) {subject} to {to}");

    /// <summary>
    /// Every mail request and every queued mail has been handled, so a mail that is not in the mailbox by now was never sent.
    /// A request's handler queues its mail before the request leaves its queue, so reading that queue first misses nothing.
    /// It counts every message of the account's mail queues, so the account must be the test's own
    /// (<see cref="AzuriteFixture.LeaseAccountAsync"/>): another test's mails, or a claim another test's app left, are not its to wait for.
    /// </summary>
    public static Task AllHandledAsync(string storageConnectionString) =>
        Eventually.ReturnsAsync(
            async () => await PendingAsync(storageConnectionString, MailRequests.QueueName) + await PendingAsync(storageConnectionString, EmailOutbox.QueueName),
            pending => pending == 0, Registration.RegistrationClient.MailTimeout, what: "the mail queues to drain");

    /// <summary>The token in the mail's portal link (…/reset-password#token).</summary>
    public static string LinkToken(Mail mail, string page) =>
        Uri.UnescapeDataString(Regex.Match(mail.Text, "/" + page + @"#([A-Za-z0-9_%\-]+)").Groups[1].Value);

    private static async Task<int> PendingAsync(string storageConnectionString, string queue) =>
        (await TestQueues.Queue(storageConnectionString, queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;
}
