using KpNet.Access;
using KpNet.Accounts;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;

namespace KpNet.Registration;

public sealed record RegistrationInProgress(string Minute, string Id, string GatewayId, string Email);

/// <summary>
/// A registration writes several rows (claim, account, site, link, mail); storage failing midway used to leave the
/// gateway claimed for the link's 72 hours, or an account without its mail. Each registration is recorded here (table
/// RegistrationsInProgress: PartitionKey = the UTC minute it began, yyyyMMddHHmm, RowKey = an ID of its own, since two
/// addresses may try one gateway at once; GatewayId, Email) before its first
/// write and forgotten after its last (the queued part's), so <see cref="RepairInterruptedRegistrationsFunction"/> finds
/// every one that stopped midway within minutes and settles it: a claim without its account or site is released, so the
/// gateway can be registered again; an account whose site is written is whole (a lost link mail is asked for again on
/// the activation page).
/// </summary>
public sealed partial class InterruptedRegistrations(
    StorageAccount storage, GatewayClaims claims, AccountStore accounts, CustomerSites sites, RegistrationRelease release,
    TimeProvider time, ILogger<InterruptedRegistrations> logger)
{
    public const string TableName = "RegistrationsInProgress";

    /// <summary>
    /// Longer than a registration takes through all its tries: the request (10 s deadline) and its queued part (the
    /// mail-requests queue's five tries, 30 s apart), so one still being retried is never touched.
    /// </summary>
    public static readonly TimeSpan SettledAfter = TimeSpan.FromMinutes(10);

    private WorkInProgress Records => new(storage.GetTableClient(TableName), time);

    public async Task<RegistrationInProgress> BeginAsync(string gatewayId, string email, CancellationToken cancellationToken)
    {
        var record = await Records.BeginAsync(Guid.NewGuid().ToString("N"), new Dictionary<string, object> { ["GatewayId"] = gatewayId, ["Email"] = email }, cancellationToken);
        return new RegistrationInProgress(record.Minute, record.Id, gatewayId, email);
    }

    public async Task EndAsync(RegistrationInProgress registration, CancellationToken cancellationToken) =>
        await Records.EndAsync(new WorkRecord(registration.Minute, registration.Id), cancellationToken);

    /// <summary>The timer's work: every registration begun more than <see cref="SettledAfter"/> ago and never ended is settled.</summary>
    public async Task RepairAsync(CancellationToken cancellationToken)
    {
        var interrupted = (await Records.BegunBeforeAsync(time.GetUtcNow() - SettledAfter, cancellationToken))
            .Select(row => new RegistrationInProgress(row.PartitionKey, row.RowKey, row.GetString("GatewayId") ?? "", row.GetString("Email") ?? ""));
        foreach (var registration in interrupted)
        {
            await SettleAsync(registration, cancellationToken);
            await EndAsync(registration, cancellationToken);
        }
    }

    private async Task SettleAsync(RegistrationInProgress registration, CancellationToken cancellationToken)
    {
        // Only a provisional claim of this address is this registration's; anything else was settled by someone.
        if (await claims.FindAsync(registration.GatewayId, cancellationToken) is not { Status: ClaimStatus.Provisional } claim
            || !claim.IsOwnedBy(registration.Email))
        {
            return;
        }

        var account = await accounts.FindByEmailAsync(registration.Email, cancellationToken);
        if (account is not null && account.UserId != claim.OwnerUserId)
        {
            account = null;
        }

        // Stopped at or after the link: the account is whole, and its owner can ask for a new link at any time.
        if (account is { Status: AccountStatus.Active }
            || (account is not null && await sites.FindAsync(account.UserId, registration.GatewayId, cancellationToken) is not null))
        {
            return;
        }

        if (await release.ReleaseAsync(claim, account, cancellationToken))
        {
            LogReleased(registration.GatewayId);
        }
    }

    [LoggerMessage(EventId = 5031, EventName = "InterruptedRegistrationReleased", Level = LogLevel.Warning, Message = "A registration with gateway {GatewayId} stopped before its account was complete; the gateway was released")]
    private partial void LogReleased(string gatewayId);
}

/// <summary>Every 2 minutes: registrations that stopped midway are undone or left whole.</summary>
public sealed class RepairInterruptedRegistrationsFunction(InterruptedRegistrations registrations) : ITimerFunction
{
    public const string Name = "RepairInterruptedRegistrations";
    public const string Schedule = "0 */2 * * * *";

    public Task RunAsync(TimerInput timer, CancellationToken cancellationToken) => registrations.RepairAsync(cancellationToken);
}
