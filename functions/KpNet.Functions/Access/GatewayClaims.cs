using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Http.Forms;

namespace KpNet.Access;

public enum ClaimStatus
{
    /// <summary>Claimed by a registration whose account is not yet activated; released if it never is.</summary>
    Provisional,
    Active,

    /// <summary>Replaced or disposed of: the row stays for the operator and nobody can ever claim the gateway again.</summary>
    Retired,
}

/// <summary>A gateway's one owner: the row that holds the truth of "one owner per gateway, ever (until disposal)".</summary>
public sealed record GatewayClaim(string GatewayId, string OwnerUserId, string OwnerEmail, ClaimStatus Status, DateTimeOffset ClaimedAt, DateTimeOffset? ExpiresAt, ETag ETag)
{
    public bool IsOwnedBy(string email) => EmailKey.For(OwnerEmail) == EmailKey.For(email);

    public bool HasExpired(DateTimeOffset now) => Status == ClaimStatus.Provisional && ExpiresAt <= now;
}

/// <summary>Table GatewayClaims: PartitionKey = gateway ID, RowKey "claim". Inserting is claiming (409 = taken).</summary>
public sealed class GatewayClaims(StorageAccount storage)
{
    public const string TableName = "GatewayClaims";
    private const string ClaimRow = "claim";

    private TableClient Table => storage.GetTableClient(TableName);

    /// <summary>Inserts the claim; null when the gateway is already claimed (by anyone).</summary>
    public async Task<GatewayClaim?> TryInsertAsync(GatewayClaim claim, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Table.AddEntityAsync(ToEntity(claim), cancellationToken);
            return claim with { ETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
    }

    public async Task<GatewayClaim?> FindAsync(string gatewayId, CancellationToken cancellationToken)
    {
        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(gatewayId, ClaimRow, cancellationToken: cancellationToken)).ValueOrNull();
        return row is null ? null : FromEntity(row);
    }

    /// <summary>Marks the claim Active if nobody changed it since read; false when it changed or went.</summary>
    public async Task<bool> TryActivateAsync(GatewayClaim claim, CancellationToken cancellationToken)
    {
        try
        {
            await Table.UpdateEntityAsync(ToEntity(claim with { Status = ClaimStatus.Active, ExpiresAt = null }), claim.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>Deletes the claim if nobody changed it since read; false when it changed or went.</summary>
    public async Task<bool> TryDeleteAsync(GatewayClaim claim, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Table.DeleteEntityAsync(claim.GatewayId, ClaimRow, claim.ETag, cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }

    /// <summary>
    /// Replacement and disposal: the claim stays, Retired, so the gateway can never be claimed again (inserting is
    /// claiming, and the row is never deleted). Retried on 412; a missing claim is written retired.
    /// </summary>
    public async Task RetireAsync(string gatewayId, string ownerUserId, string ownerEmail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Activated, released or retired meanwhile: decide again on what it is now.
        await ConflictRetry.RunAsync(
            async _ =>
            {
                var claim = await FindAsync(gatewayId, cancellationToken);
                if (claim is { Status: ClaimStatus.Retired })
                {
                    return;
                }

                if (claim is null)
                {
                    await Table.AddEntityAsync(ToEntity(new GatewayClaim(gatewayId, ownerUserId, ownerEmail, ClaimStatus.Retired, now, null, default)), cancellationToken);
                }
                else
                {
                    await Table.UpdateEntityAsync(ToEntity(claim with { Status = ClaimStatus.Retired, ExpiresAt = null }), claim.ETag, TableUpdateMode.Replace, cancellationToken);
                }
            },
            cancellationToken);
    }

    private static TableEntity ToEntity(GatewayClaim claim)
    {
        var entity = new TableEntity(claim.GatewayId, ClaimRow)
        {
            ["OwnerUserId"] = claim.OwnerUserId,
            ["OwnerEmail"] = claim.OwnerEmail,
            ["Status"] = claim.Status.ToString(),
            ["ClaimedAt"] = claim.ClaimedAt,
        };
        if (claim.ExpiresAt is { } expiresAt)
        {
            entity["ExpiresAt"] = expiresAt;
        }

        return entity;
    }

    private static GatewayClaim FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("OwnerUserId")!,
        e.GetString("OwnerEmail")!,
        Enum.Parse<ClaimStatus>(e.GetString("Status")!),
        e.GetDateTimeOffset("ClaimedAt")!.Value,
        e.GetDateTimeOffset("ExpiresAt"),
        e.ETag);
}
