using System.Text.Json;
using Azure;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using KpNet.Observability;

namespace KpNet.Notifications;

/// <summary>
/// Delivers one queued mail, at most once per mail id in all but one case. The mail is claimed in MailDeliveries
/// before it is sent, the claim is renewed while the invocation works on the mail, and the mail is marked Sent after,
/// so a redelivery or a second instance finds the claim and never sends in parallel. Every attempt carries the same
/// ACS Operation-Id (derived from the mail id). Recording Sent is retried through a storage outage of up to
/// <see cref="SentMarkBudget"/>. The remaining edge: an invocation that dies after ACS accepted the mail but before
/// "Sent" is written (or storage down for longer than that budget) leaves a claim that a successor takes over once its
/// lease ends, and that successor sends again (same Operation-Id). Marking Sent before sending would turn that rare
/// duplicate into a lost mail (an activation link nobody receives), which is worse.
/// Throttling and outages (429, 5xx) are waited out inside the invocation behind a pause shared by the instance,
/// up to <see cref="HoldBudget"/>; only then is the message given back, so a burst does not burn its tries. A mail
/// ACS refuses (other 4xx) is recorded as Failed and moved to email-outbox-poison at once, with a MailRejected log.
/// </summary>
public sealed partial class SendEmailFunction(
    StorageAccount storage,
    IMailSender sender,
    MailDeliveries deliveries,
    StalledMails stalledMails,
    SendingPause pause,
    KpNetMetrics metrics,
    TimeProvider time,
    ILogger<SendEmailFunction> logger) : IQueueFunction
{
    public const string Name = "SendEmail";
    public const string PoisonQueueName = EmailOutbox.QueueName + "-poison";

    /// <summary>How long one invocation waits out throttling or another invocation's claim before giving the message back.</summary>
    public static readonly TimeSpan HoldBudget = TimeSpan.FromMinutes(3);

    /// <summary>
    /// How long recording Sent is retried through a storage outage. With <see cref="HoldBudget"/> and a send, an
    /// invocation stays well inside the host's functionTimeout (10 minutes).
    /// </summary>
    public static readonly TimeSpan SentMarkBudget = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan MaxTransientPause = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxSentMarkPause = TimeSpan.FromSeconds(15);

    public async Task RunAsync(QueueTriggerInput message, CancellationToken cancellationToken)
    {
        OutgoingMail? mail;
        try
        {
            mail = JsonSerializer.Deserialize(message.Text, NotificationsJsonContext.Default.OutgoingMail);
        }
        catch (JsonException)
        {
            mail = null;
        }

        if (mail is null)
        {
            LogUnreadable(message.MessageId);
            await PoisonAsync(message, cancellationToken);
            return;
        }

        var deadline = time.GetUtcNow() + HoldBudget;
        var claim = await ClaimAsync(mail, message, deadline, cancellationToken);
        if (claim is null)
        {
            return;
        }

        using var stopRenewing = new CancellationTokenSource();
        var renewing = RenewUntilStoppedAsync(claim, stopRenewing.Token);
        WorkRecord? inFlight = null;
        SendResult sending;
        try
        {
            inFlight = await RecordInFlightAsync(mail, cancellationToken);
            sending = await SendAsync(mail, deadline, cancellationToken);
        }
        catch
        {
            // Shutting down or an unexpected failure: give the mail back now rather than leave a claim that blocks it for
            // the lease. Nothing may leave this invocation with the renewals still running: they would keep the claim
            // fresh for as long as the process lives, and every later delivery would find the mail held elsewhere.
            await stopRenewing.CancelAsync();
            await ReleaseQuietlyAsync(await renewing);
            await ForgetQuietlyAsync(inFlight);
            throw;
        }

        // The outcome is written with the claim's latest ETag, so no renewal may run alongside.
        await stopRenewing.CancelAsync();
        claim = await renewing;
        switch (sending)
        {
            case SendResult.Accepted:
                metrics.MailSent(mail.Kind, time.GetUtcNow() - message.InsertionTime);
                await RecordSentAsync(mail, claim);
                break;
            case SendResult.Refused { Failure: var failure }:
                metrics.MailFailed(mail.Kind);
                await deliveries.MarkFailedAsync(claim, mail.Kind, failure.Status ?? 0, failure.ErrorCode, cancellationToken);
                LogRejected(mail.Id, mail.Kind, failure.Status ?? 0, failure.ErrorCode);
                await PoisonAsync(message, cancellationToken);
                break;
            case SendResult.PausedBeyondBudget:
                await ReleaseQuietlyAsync(claim);
                await ForgetQuietlyAsync(inFlight);
                LogGivenBack(mail.Id, mail.Kind, pause.Until);
                throw new MailBusyException($"Mail {mail.Id} not sent: ACS is paused beyond this invocation's hold budget; the queue delivers it again after its visibility timeout.");
        }

        await ForgetQuietlyAsync(inFlight);
    }

    /// <summary>
    /// Records the mail for <see cref="StalledMails"/>, so it goes out within about a minute should this whole instance
    /// die. Not a reason to hold the mail back: without the record a death only delays it by the host's 5 to 10 minutes.
    /// </summary>
    private async Task<WorkRecord?> RecordInFlightAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        try
        {
            return await stalledMails.RecordAsync(mail, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogInFlightNotRecorded(e, mail.Id);
            return null;
        }
    }

    /// <summary>The outcome is written; a record left behind is cleared by the next look at stalled mails.</summary>
    private async Task ForgetQuietlyAsync(WorkRecord? inFlight)
    {
        if (inFlight is null)
        {
            return;
        }

        try
        {
            await stalledMails.ForgetAsync(inFlight, CancellationToken.None);
        }
        catch (RequestFailedException e)
        {
            LogInFlightNotForgotten(e, inFlight.Id);
        }
    }

    /// <summary>
    /// Keeps the claim alive while this invocation works on the mail, which can take minutes of waiting out throttling:
    /// every <see cref="MailDeliveries.ClaimRenewal"/> its lease starts again. So a live holder is never taken over, and a
    /// dead one, whose renewals die with it, is within <see cref="MailDeliveries.ClaimLease"/>. Returns the claim as it
    /// stands when <paramref name="stop"/> ends the renewals.
    /// </summary>
    private async Task<MailClaim> RenewUntilStoppedAsync(MailClaim claim, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await Task.Delay(MailDeliveries.ClaimRenewal, time, stop);
                if (await deliveries.RenewAsync(claim, stop) is not { } renewed)
                {
                    LogTakenOverWhileHeld(claim.MailId);
                    return claim;
                }

                claim = renewed;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return claim;
            }
            catch (Exception e)
            {
                // The lease leaves room for another try before it ends.
                LogRenewalFailed(e, claim.MailId);
            }
        }
    }

    /// <summary>Sends, waiting out throttling and outages, until ACS accepts or refuses the mail or the pause outlasts the budget.</summary>
    private async Task<SendResult> SendAsync(OutgoingMail mail, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using (var turn = await pause.WaitForTurnAsync(deadline, cancellationToken))
            {
                if (turn is null)
                {
                    return new SendResult.PausedBeyondBudget();
                }

                try
                {
                    await sender.SendAsync(mail, cancellationToken);
                    return new SendResult.Accepted();
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var failure = MailFailure.From(e, time.GetUtcNow());
                    if (failure.Permanent)
                    {
                        return new SendResult.Refused(failure);
                    }

                    var wait = failure.RetryAfter ?? TimeSpan.FromSeconds(Math.Min(MaxTransientPause.TotalSeconds, 1 << Math.Min(attempt, 5)));
                    pause.PauseFor(wait);
                    LogDeferred(mail.Id, mail.Kind, failure.Status ?? 0, failure.ErrorCode, wait.TotalSeconds);
                }
            }
        }
    }

    /// <summary>
    /// The mail is out: records that, through a storage outage of up to <see cref="SentMarkBudget"/>, and not cut short
    /// by a shutdown, or the next delivery would send it again. Past the budget the invocation still ends well: failing
    /// it would bring the message back and have the mail sent twice for certain.
    /// </summary>
    private async Task RecordSentAsync(OutgoingMail mail, MailClaim claim)
    {
        var giveUpAt = time.GetUtcNow() + SentMarkBudget;
        var wait = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await deliveries.MarkSentAsync(claim, mail.Kind, CancellationToken.None))
                {
                    LogSent(mail.Id, mail.Kind);
                }
                else
                {
                    // Our renewals failed for a whole lease and a successor took the mail over: it may send it again (see above).
                    LogClaimLost(mail.Id, mail.Kind);
                }

                return;
            }
            catch (Exception e) when (StorageFailure.IsTransient(e) && time.GetUtcNow() + wait <= giveUpAt)
            {
                LogSentMarkRetried(e, mail.Id, mail.Kind, attempt, wait.TotalSeconds);
                await Task.Delay(wait, time, CancellationToken.None);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, MaxSentMarkPause.Ticks));
            }
            catch (Exception e)
            {
                LogSentNotRecorded(e, mail.Id, mail.Kind, attempt);
                return;
            }
        }
    }

    /// <summary>The claim, or null when the mail was already sent; throws (message back later) while another invocation holds it past the budget.</summary>
    private async Task<MailClaim?> ClaimAsync(OutgoingMail mail, QueueTriggerInput message, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var poll = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            switch (await deliveries.ClaimAsync(mail, cancellationToken))
            {
                case ClaimResult.Claimed { Claim: var claim }:
                    if (claim.TookOver)
                    {
                        LogTakenOver(mail.Id, mail.Kind);
                    }

                    return claim;
                case ClaimResult.AlreadySent:
                    LogAlreadySent(mail.Id, mail.Kind);
                    return null;
                case ClaimResult.HeldElsewhere when time.GetUtcNow() + poll > deadline:
                    throw new MailBusyException($"Mail {mail.Id} (message {message.MessageId}) is being sent by another invocation; try again later.");
                case ClaimResult.HeldElsewhere:
                    // Usually a redelivery racing the first delivery, which finishes in moments: wait for its outcome.
                    await Task.Delay(poll, time, cancellationToken);
                    poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                    break;
            }
        }
    }

    private async Task ReleaseQuietlyAsync(MailClaim claim)
    {
        try
        {
            await deliveries.ReleaseAsync(claim, CancellationToken.None);
        }
        catch (RequestFailedException e)
        {
            // The claim stays until its lease ends; a successor then takes it over.
            LogReleaseFailed(e, claim.MailId);
        }
    }

    private async Task PoisonAsync(QueueTriggerInput message, CancellationToken cancellationToken)
    {
        var poison = storage.GetQueueClient(PoisonQueueName);
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await poison.SendMessageAsync(message.Text, cancellationToken: cancellationToken);
    }

    [LoggerMessage(EventId = 2000, EventName = "MailSent", Level = LogLevel.Information, Message = "Mail {MailId} ({Kind}) sent")]
    private partial void LogSent(string mailId, string kind);

    [LoggerMessage(EventId = 2001, EventName = "MailAlreadySent", Level = LogLevel.Information, Message = "Mail {MailId} ({Kind}) was already sent; redelivery skipped")]
    private partial void LogAlreadySent(string mailId, string kind);

    [LoggerMessage(EventId = 2002, EventName = "MailRejected", Level = LogLevel.Error, Message = "Mail {MailId} ({Kind}) rejected with status {Status} ({ErrorCode}); recorded as failed and moved to email-outbox-poison without retrying")]
    private partial void LogRejected(string mailId, string kind, int status, string errorCode);

    [LoggerMessage(EventId = 2003, EventName = "MailDeferred", Level = LogLevel.Warning, Message = "Mail {MailId} ({Kind}) not accepted now (status {Status}, {ErrorCode}); sending pauses for {PauseSeconds:F1} s")]
    private partial void LogDeferred(string mailId, string kind, int status, string errorCode, double pauseSeconds);

    [LoggerMessage(EventId = 2004, EventName = "MailGivenBack", Level = LogLevel.Warning, Message = "Mail {MailId} ({Kind}) given back to the queue; sending is paused until {PausedUntil:o}")]
    private partial void LogGivenBack(string mailId, string kind, DateTimeOffset pausedUntil);

    [LoggerMessage(EventId = 2005, EventName = "MailClaimTakenOver", Level = LogLevel.Warning, Message = "Mail {MailId} ({Kind}) was claimed by an invocation that did not finish; taking it over (it may be sent a second time)")]
    private partial void LogTakenOver(string mailId, string kind);

    [LoggerMessage(EventId = 2006, EventName = "MailClaimLost", Level = LogLevel.Warning, Message = "Mail {MailId} ({Kind}) was sent but its claim had been taken over meanwhile")]
    private partial void LogClaimLost(string mailId, string kind);

    [LoggerMessage(EventId = 2008, EventName = "MailClaimReleaseFailed", Level = LogLevel.Warning, Message = "Mail {MailId}: the claim could not be released; it blocks redeliveries until its lease ends")]
    private partial void LogReleaseFailed(Exception exception, string mailId);

    [LoggerMessage(EventId = 2009, EventName = "MailSentMarkRetried", Level = LogLevel.Warning, Message = "Mail {MailId} ({Kind}) was sent but storage refused to record it (try {Attempt}); trying again in {PauseSeconds:F1} s")]
    private partial void LogSentMarkRetried(Exception exception, string mailId, string kind, int attempt, double pauseSeconds);

    [LoggerMessage(EventId = 2010, EventName = "MailSentNotRecorded", Level = LogLevel.Error, Message = "Mail {MailId} ({Kind}) was sent but could not be recorded as sent after {Attempts} tries; a later delivery of its message would send it again")]
    private partial void LogSentNotRecorded(Exception exception, string mailId, string kind, int attempts);

    [LoggerMessage(EventId = 2011, EventName = "MailClaimRenewalFailed", Level = LogLevel.Warning, Message = "Mail {MailId}: the claim could not be renewed; trying again before its lease ends")]
    private partial void LogRenewalFailed(Exception exception, string mailId);

    [LoggerMessage(EventId = 2012, EventName = "MailClaimTakenOverWhileHeld", Level = LogLevel.Warning, Message = "Mail {MailId}: the claim was taken over while this invocation still held it (its renewals had failed for a whole lease); the mail may be sent twice")]
    private partial void LogTakenOverWhileHeld(string mailId);

    [LoggerMessage(EventId = 2014, EventName = "MailInFlightNotRecorded", Level = LogLevel.Warning, Message = "Mail {MailId}: could not be recorded as in flight; should this instance die, it goes out when the host gives its message back (5 to 10 minutes)")]
    private partial void LogInFlightNotRecorded(Exception exception, string mailId);

    [LoggerMessage(EventId = 2015, EventName = "MailInFlightNotForgotten", Level = LogLevel.Warning, Message = "Mail {MailId}: its in-flight record could not be removed; the next look at stalled mails clears it")]
    private partial void LogInFlightNotForgotten(Exception exception, string mailId);

    [LoggerMessage(EventId = 2007, EventName = "OutboxMessageUnreadable", Level = LogLevel.Error, Message = "Outbox message {MessageId} is not a mail; moved to email-outbox-poison")]
    private partial void LogUnreadable(string messageId);
}

/// <summary>How a send ended: ACS accepted the mail, refused it for good, or stayed paused beyond the invocation's hold budget.</summary>
internal abstract record SendResult
{
    public sealed record Accepted : SendResult;

    public sealed record Refused(MailFailure Failure) : SendResult;

    public sealed record PausedBeyondBudget : SendResult;
}

/// <summary>The mail could not be sent now for a reason that passes (throttling, another invocation's claim): the message comes back.</summary>
public sealed class MailBusyException(string message) : Exception(message);
