using KpNet.Notifications;

namespace KpNet.Accounts.Activation;

/// <summary>Composes the registration mails for an account (in its language) and queues them.</summary>
public sealed class RegistrationMailer(MailComposer composer, EmailOutbox outbox)
{
    public Task SendActivationLinkAsync(Account account, string token, CancellationToken cancellationToken) =>
        SendAsync(RegistrationMails.Provisional, account, new Dictionary<string, string>
        {
            ["name"] = DisplayName(account),
            ["link"] = composer.PortalLink("activate", token),
            ["expiresAt"] = JapanTime.ForMail(account.ActivationExpiresAt!.Value, account.Language == "en"),
            ["resendLink"] = composer.PortalLink("activate"),
        }, cancellationToken);

    public Task SendAlreadyRegisteredAsync(Account account, CancellationToken cancellationToken) =>
        SendAsync(RegistrationMails.AlreadyRegistered, account, new Dictionary<string, string>
        {
            ["name"] = DisplayName(account),
            ["loginLink"] = composer.PortalLink("login"),
            ["passwordResetLink"] = composer.PortalLink("password-reset"),
            ["resendLink"] = composer.PortalLink("activate"),
        }, cancellationToken);

    public Task SendActivatedAsync(Account account, CancellationToken cancellationToken) =>
        SendAsync(RegistrationMails.Activated, account, new Dictionary<string, string>
        {
            ["name"] = DisplayName(account),
            ["email"] = account.Email,
            ["loginLink"] = composer.PortalLink("login"),
        }, cancellationToken);

    public static string DisplayName(Account account) => $"{account.Name.Family} {account.Name.Given}".Trim();

    private async Task SendAsync(MailTemplate template, Account account, Dictionary<string, string> values, CancellationToken cancellationToken) =>
        await outbox.EnqueueAsync(composer.Compose(template, account.Email, account.Language == "en", values), cancellationToken);
}
