using System.Text;
using KpNet.Accounts.Activation;
using KpNet.Notifications;
using KpNet.Security;

namespace KpNet.Accounts.Recovery;

/// <summary>POST /api/password-resets as queued.</summary>
public sealed record PasswordResetRequest(string Email);

/// <summary>POST /api/account-ids/recovery as queued: the name as entered, the phone as digits.</summary>
public sealed record AccountIdRequest(PersonName Name, string Phone);

/// <summary>A reset link for the active account at the address; nothing for an unknown, provisional or over-mailed one.</summary>
public sealed partial class PasswordResetRequests(
    AccountStore accounts, PasswordResetTokens tokens, MailRequestLimits limits, MailComposer composer, EmailOutbox outbox,
    ILogger<PasswordResetRequests> logger) : IMailRequestHandler
{
    public MailRequestKind Kind => MailRequestKind.PasswordReset;

    public async Task HandleAsync(MailRequest request, CancellationToken cancellationToken)
    {
        if (await accounts.FindByEmailAsync(request.Read<PasswordResetRequest>().Email, cancellationToken) is not { Status: AccountStatus.Active } account)
        {
            limits.CountRecoveryFailure(Kind, blocked: false);
            LogNotMailed();
            return;
        }

        if (!await limits.MayMailAsync(account.Email, account.UserId, Kind, cancellationToken))
        {
            LogNotMailed();
            return;
        }

        var token = SecureToken.Create();
        var expiresAt = await tokens.StoreAsync(SecureToken.Hash(token), account, cancellationToken);
        var english = account.Language == "en";
        await outbox.EnqueueAsync(composer.Compose(RecoveryMails.PasswordReset, account.Email, english, new Dictionary<string, string>
        {
            ["name"] = RegistrationMailer.DisplayName(account),
            ["link"] = composer.PortalLink("reset-password", token),
            ["expiresAt"] = JapanTime.ForMail(expiresAt, english),
        }), cancellationToken);
        LogMailed(account.UserId);
    }

    [LoggerMessage(EventId = 5110, EventName = "PasswordResetMailed", Level = LogLevel.Information, Message = "A password reset link was mailed to user {UserId}")]
    private partial void LogMailed(string userId);

    [LoggerMessage(EventId = 5111, EventName = "PasswordResetNotMailed", Level = LogLevel.Information, Message = "A password reset request sent no mail (no active account, or its address had its mails this hour)")]
    private partial void LogNotMailed();
}

/// <summary>The user ID, mailed to the address of each active account with the name and phone; nothing otherwise.</summary>
public sealed partial class AccountIdRequests(
    AccountStore accounts, AccountPhoneIndex phoneIndex, MailRequestLimits limits, MailComposer composer, EmailOutbox outbox,
    ILogger<AccountIdRequests> logger) : IMailRequestHandler
{
    public MailRequestKind Kind => MailRequestKind.AccountId;

    /// <summary>
    /// Mails every active account with this name and phone its own user ID, at its own address. Two accounts can share both
    /// (a family registering two sites, a customer with a second address): answering "sent" and mailing neither left
    /// them without a way in, while mailing each its own ID tells the requester nothing they did not know.
    /// </summary>
    public async Task HandleAsync(MailRequest request, CancellationToken cancellationToken)
    {
        var matches = await FindAllAsync(request.Read<AccountIdRequest>(), cancellationToken);
        if (matches.Count == 0)
        {
            limits.CountRecoveryFailure(Kind, blocked: false);
            LogNotMailed();
            return;
        }

        foreach (var match in matches)
        {
            if (!await limits.MayMailAsync(match.Email, match.UserId, Kind, cancellationToken))
            {
                LogNotMailed();
                continue;
            }

            await outbox.EnqueueAsync(composer.Compose(RecoveryMails.AccountId, match.Email, match.Language == "en", new Dictionary<string, string>
            {
                ["name"] = RegistrationMailer.DisplayName(match),
                ["email"] = match.Email,
                ["loginLink"] = composer.PortalLink("login"),
            }), cancellationToken);
            LogMailed(match.UserId);
        }
    }

    /// <summary>The active accounts with this name and phone, confirmed against the account rows (index rows may be stale).</summary>
    private async Task<List<Account>> FindAllAsync(AccountIdRequest request, CancellationToken cancellationToken)
    {
        var (family, given) = (request.Name.Family, request.Name.Given);
        var matches = new List<Account>();
        foreach (var entry in await phoneIndex.FindAsync(request.Phone, cancellationToken))
        {
            if (Normalize(entry.Name.Family) == family && Normalize(entry.Name.Given) == given
                && await accounts.FindByEmailAsync(entry.Email, cancellationToken) is { Status: AccountStatus.Active } account
                && account.UserId == entry.UserId && PhoneNumber.Digits(account.Phone) == request.Phone
                && Normalize(account.Name.Family) == family && Normalize(account.Name.Given) == given)
            {
                matches.Add(account);
            }
        }

        return matches;
    }

    private static string Normalize(string? text) => (text ?? "").Normalize(NormalizationForm.FormKC).Trim();

    [LoggerMessage(EventId = 5120, EventName = "AccountIdMailed", Level = LogLevel.Information, Message = "The user ID of user {UserId} was mailed to its address")]
    private partial void LogMailed(string userId);

    [LoggerMessage(EventId = 5121, EventName = "AccountIdNotMailed", Level = LogLevel.Information, Message = "A user ID request matched no active account (or an address had its mails this hour)")]
    private partial void LogNotMailed();
}
