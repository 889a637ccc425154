using KpNet.Http.Forms;
using KpNet.Observability;

namespace KpNet.Security;

/// <summary>The endpoints that mail someone on an anonymous request; each is its own family for the per-client limit.</summary>
public enum MailRequestKind
{
    Registration,
    DealerSignUp,
    ActivationLink,
    PasswordReset,
    AccountId,
}

/// <summary>
/// The one limit on every endpoint that mails someone on an anonymous request, so that none of them floods a mailbox and
/// no client hammers one. <see cref="PerClient"/>: one client's requests to one endpoint, answered 429 beyond.
/// <see cref="PerRecipient"/>: the mails all of them together send to one address; beyond it a request is answered as
/// usual and sends nothing, so the limit tells nobody whether the address has an account.
/// </summary>
public sealed partial class MailRequestLimits(Throttle throttle, KpNetMetrics metrics, ILogger<MailRequestLimits> logger)
{
    public static readonly ThrottleRule PerRecipient = new("mails-to-address", 3, TimeSpan.FromHours(1), TimeSpan.FromHours(1));

    public static ThrottleRule PerClient(MailRequestKind kind) =>
        new("mail-requests-" + kind.ToString().ToLowerInvariant(), 20, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15));

    /// <summary>Counts the client's request.</summary>
    /// <returns>Null when the request may go on; else how long the client must wait.</returns>
    public async Task<TimeSpan?> ClientRefusalAsync(MailRequestKind kind, string client, CancellationToken cancellationToken)
    {
        if (await throttle.TryTakeAsync(PerClient(kind), client, cancellationToken) is { Allowed: false } refused)
        {
            CountRecoveryFailure(kind, blocked: true);
            LogClientThrottled(kind, refused.RetryAfter);
            return refused.RetryAfter;
        }

        return null;
    }

    /// <summary>Counts one more mail to the account's address; false (and nothing counted) once the address had its mails.</summary>
    public async Task<bool> MayMailAsync(string recipientEmail, string recipientUserId, MailRequestKind kind, CancellationToken cancellationToken)
    {
        if (await throttle.TryTakeAsync(PerRecipient, EmailKey.For(recipientEmail), cancellationToken) is { Allowed: false })
        {
            CountRecoveryFailure(kind, blocked: true);
            LogRecipientLimitReached(kind, recipientUserId);
            return false;
        }

        return true;
    }

    /// <summary>
    /// A password reset or user-ID request that mails nothing is a failed recovery: <paramref name="blocked"/> when a limit
    /// stopped it, else because nothing matched what was entered.
    /// </summary>
    public void CountRecoveryFailure(MailRequestKind kind, bool blocked)
    {
        if (kind is MailRequestKind.PasswordReset or MailRequestKind.AccountId)
        {
            metrics.AuthFailure(AuthFailureKind.Recovery, blocked);
        }
    }

    [LoggerMessage(EventId = 2100, EventName = "MailRequestsThrottled", Level = LogLevel.Warning, Message = "A client asked for too many {Kind} mails; refused for {RetryAfter}")]
    private partial void LogClientThrottled(MailRequestKind kind, TimeSpan retryAfter);

    [LoggerMessage(EventId = 2101, EventName = "MailLimitReached", Level = LogLevel.Warning, Message = "A {Kind} mail to user {UserId} was not sent: the address had its mails this hour")]
    private partial void LogRecipientLimitReached(MailRequestKind kind, string userId);
}
