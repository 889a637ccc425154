using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;

namespace KpNet.Notifications;

/// <summary>The state of one mail in table MailDeliveries (PartitionKey = mail id, RowKey "").</summary>
public enum MailDeliveryStatus
{
    /// <summary>Claimed by an invocation that is sending it now (or crashed while doing so: see the lease).</summary>
    Sending,
    Sent,

    /// <summary>ACS refused it for good (4xx); the message went to email-outbox-poison.</summary>
    Failed,
}

/// <summary>What a look at a mail's delivery row finds, for whoever watches over stalled sends.</summary>
public enum MailDeliveryState
{
    /// <summary>Sent, refused for good, released, or never claimed: nothing to watch.</summary>
    Settled,

    /// <summary>Claimed, and the claim renewed within its lease: a live invocation is on it.</summary>
    BeingSent,

    /// <summary>Claimed, and not renewed for a whole lease: the invocation died, and a redelivery may take it over.</summary>
    Stalled,
}

/// <summary>A claim on a mail: only its holder sends, and only it may mark the outcome (the ETag guards every write; the owner tells our row from a successor's).</summary>
public sealed record MailClaim(string MailId, string Owner, ETag ETag, bool TookOver);

public abstract record ClaimResult
{
    public sealed record Claimed(MailClaim Claim) : ClaimResult;

    public sealed record AlreadySent : ClaimResult;

    /// <summary>Another invocation holds a fresh claim; the message must come back later.</summary>
    public sealed record HeldElsewhere : ClaimResult;
}

/// <summary>
/// Makes "never twice" hold across redeliveries and instances: a mail is claimed by inserting its row (409 = someone
/// else has it) before it is sent, and marked Sent after. Its holder renews the claim every <see cref="ClaimRenewal"/>
/// while it works on the mail, so a claim not renewed for <see cref="ClaimLease"/> belongs to an invocation that died,
/// and is taken over with the row's ETag so only one successor wins. A Failed row can be claimed again: that is an
/// operator re-queueing the message from the poison queue on purpose.
/// Rows written before claims existed have no Status and count as Sent. The table client is made on first use (so the
/// handler resolves without storage settings); tests can put their own in front of it.
/// </summary>
public sealed class MailDeliveries(Lazy<TableClient> table, TimeProvider time)
{
    public const string TableName = "MailDeliveries";

    /// <summary>
    /// How long a claim holds without renewal, so how late a dead instance's mail can be. Ages are read on each
    /// instance's own clock, which Azure keeps synchronised to well under a second, far inside the margin between a
    /// renewal and the lease's end: a claim dated ahead is simply fresh. (An instance whose clock were minutes off would
    /// take over others' live claims, and no rule on reading claims could stop that.)
    /// </summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(1);

    /// <summary>A third of the lease, so two renewals in a row can fail (a storage hiccup) before the claim can be taken over.</summary>
    public static readonly TimeSpan ClaimRenewal = ClaimLease / 3;

    private TableClient Table => table.Value;

    public async Task<ClaimResult> ClaimAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid().ToString("N");
        while (true)
        {
            var claim = Row(mail, owner, MailDeliveryStatus.Sending);
            try
            {
                var added = await Table.AddEntityAsync(claim, cancellationToken);
                return new ClaimResult.Claimed(new MailClaim(mail.Id, owner, added.Headers.ETag ?? default, TookOver: false));
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
            }

            var existing = (await Table.GetEntityIfExistsAsync<TableEntity>(mail.Id, "", cancellationToken: cancellationToken)).ValueOrNull();
            if (existing is null)
            {
                continue; // Released between our insert and our read.
            }

            var status = StatusOf(existing);
            if (status == MailDeliveryStatus.Sent)
            {
                return new ClaimResult.AlreadySent();
            }

            if (status == MailDeliveryStatus.Sending && LeaseIsLive(existing))
            {
                return new ClaimResult.HeldElsewhere();
            }

            try
            {
                var taken = await Table.UpdateEntityAsync(claim, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                return new ClaimResult.Claimed(new MailClaim(mail.Id, owner, taken.Headers.ETag ?? default, TookOver: status == MailDeliveryStatus.Sending));
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Another successor took it first; look again.
            }
        }
    }

    public async Task<MailDeliveryState> StateOfAsync(string mailId, CancellationToken cancellationToken)
    {
        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(mailId, "", cancellationToken: cancellationToken)).ValueOrNull();
        return row is null || StatusOf(row) != MailDeliveryStatus.Sending ? MailDeliveryState.Settled
            : LeaseIsLive(row) ? MailDeliveryState.BeingSent
            : MailDeliveryState.Stalled;
    }

    /// <summary>Starts the claim's lease again; null when the claim is no longer ours (it was taken over).</summary>
    public async Task<MailClaim?> RenewAsync(MailClaim claim, CancellationToken cancellationToken)
    {
        var renewal = new TableEntity(claim.MailId, "") { ["LeasedAt"] = time.GetUtcNow() };
        while (true)
        {
            try
            {
                var renewed = await Table.UpdateEntityAsync(renewal, claim.ETag, TableUpdateMode.Merge, cancellationToken);
                return claim with { ETag = renewed.Headers.ETag ?? default };
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                if (await OwnRowAsync(claim, cancellationToken) is not { } own || own.GetString("Status") != nameof(MailDeliveryStatus.Sending))
                {
                    return null;
                }

                claim = claim with { ETag = own.ETag };
            }
        }
    }

    /// <summary>
    /// Records that the mail went out; false when the claim was no longer ours (a successor took it over and may send
    /// it again). Safe to repeat: a try whose answer was lost after it landed leaves the row Sent under our owner.
    /// </summary>
    public async Task<bool> MarkSentAsync(MailClaim claim, string kind, CancellationToken cancellationToken)
    {
        var row = new TableEntity(claim.MailId, "")
        {
            ["Kind"] = kind,
            ["Status"] = nameof(MailDeliveryStatus.Sent),
            ["Owner"] = claim.Owner,
            ["SentAt"] = time.GetUtcNow(),
        };
        while (true)
        {
            try
            {
                await Table.UpdateEntityAsync(row, claim.ETag, TableUpdateMode.Replace, cancellationToken);
                return true;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                if (await OwnRowAsync(claim, cancellationToken) is not { } own)
                {
                    return false;
                }

                if (own.GetString("Status") == nameof(MailDeliveryStatus.Sent))
                {
                    return true;
                }

                claim = claim with { ETag = own.ETag };
            }
        }
    }

    /// <summary>Records the refusal (status and ACS error code only: never the address or the content).</summary>
    public async Task MarkFailedAsync(MailClaim claim, string kind, int status, string? errorCode, CancellationToken cancellationToken)
    {
        var row = new TableEntity(claim.MailId, "")
        {
            ["Kind"] = kind,
            ["Status"] = nameof(MailDeliveryStatus.Failed),
            ["Owner"] = claim.Owner,
            ["FailedAt"] = time.GetUtcNow(),
            ["HttpStatus"] = status,
            ["ErrorCode"] = errorCode,
        };
        await Table.UpdateEntityAsync(row, claim.ETag, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Gives the mail back after a transient failure, so the redelivery need not wait for the lease to run out.</summary>
    public async Task ReleaseAsync(MailClaim claim, CancellationToken cancellationToken) =>
        await Table.DeleteEntityAsync(claim.MailId, "", claim.ETag, cancellationToken);

    // A write under our ETag failed: the row is another owner's (taken over), or still ours but changed by an earlier
    // write of ours whose answer was lost.
    private async Task<TableEntity?> OwnRowAsync(MailClaim claim, CancellationToken cancellationToken)
    {
        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(claim.MailId, "", cancellationToken: cancellationToken)).ValueOrNull();
        return row?.GetString("Owner") == claim.Owner ? row : null;
    }

    private static MailDeliveryStatus StatusOf(TableEntity row) =>
        row.GetString("Status") is { } text ? Enum.Parse<MailDeliveryStatus>(text) : MailDeliveryStatus.Sent;

    private bool LeaseIsLive(TableEntity row) =>
        row.GetDateTimeOffset("LeasedAt") is { } leasedAt && time.GetUtcNow() - leasedAt < ClaimLease;

    private TableEntity Row(OutgoingMail mail, string owner, MailDeliveryStatus status) => new(mail.Id, "")
    {
        ["Kind"] = mail.Kind,
        ["Status"] = status.ToString(),
        ["Owner"] = owner,
        ["LeasedAt"] = time.GetUtcNow(),
    };
}
