using System.Globalization;
using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Http.Forms;

namespace KpNet.Accounts;

/// <summary>
/// Accounts in table Accounts: PartitionKey = <see cref="EmailKey"/>, RowKey "account" (inserting is how an address
/// is claimed: 409 = taken), plus an index row in AccountIds (PartitionKey = UserId) pointing back to the address.
/// </summary>
public sealed class AccountStore(StorageAccount storage)
{
    public const string TableName = "Accounts";
    public const string IdIndexTableName = "AccountIds";
    private const string AccountRow = "account";

    private TableClient Table => storage.GetTableClient(TableName);

    public async Task<Account?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(EmailKey.For(email), AccountRow, cancellationToken: cancellationToken)).ValueOrNull();
        return row is null ? null : FromEntity(row);
    }

    /// <summary>The account with this user ID; null for one that is not (a user ID from a path may hold what a table key cannot).</summary>
    public async Task<Account?> FindByUserIdAsync(string userId, CancellationToken cancellationToken)
    {
        if (userId.Length is 0 or > 64 || !userId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        var index = (await storage.GetTableClient(IdIndexTableName).GetEntityIfExistsAsync<TableEntity>(userId, "", cancellationToken: cancellationToken)).ValueOrNull();
        return index?.GetString("Email") is { } email && await FindByEmailAsync(email, cancellationToken) is { } account && account.UserId == userId
            ? account
            : null;
    }

    /// <summary>Inserts a new account; <see cref="RequestFailedException"/> 409 when the address already has one.</summary>
    public async Task<Account> InsertAsync(Account account, CancellationToken cancellationToken)
    {
        await storage.GetTableClient(IdIndexTableName).UpsertEntityAsync(
            new TableEntity(account.UserId, "") { ["Email"] = account.Email }, TableUpdateMode.Replace, cancellationToken);
        try
        {
            var response = await Table.AddEntityAsync(ToEntity(account), cancellationToken);
            return account with { ETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // The address is taken: the index row written for this UserId would point at someone else's account.
            // (A retry with the same UserId lost to itself and keeps the row.)
            if ((await FindByEmailAsync(account.Email, cancellationToken))?.UserId != account.UserId)
            {
                await storage.GetTableClient(IdIndexTableName).DeleteEntityAsync(account.UserId, "", ETag.All, cancellationToken);
            }

            throw;
        }
    }

    /// <summary>Replaces the account if nobody changed it since it was read (412 otherwise).</summary>
    public async Task<Account> ReplaceAsync(Account account, CancellationToken cancellationToken)
    {
        var response = await Table.UpdateEntityAsync(ToEntity(account), account.ETag, TableUpdateMode.Replace, cancellationToken);
        return account with { ETag = response.Headers.ETag ?? default };
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the account and replaces it under its ETag; when someone changed the account
    /// in between, reads it again and applies the change to what is there now (<see cref="ConflictRetry"/>).
    /// </summary>
    public Task<Account> ChangeAsync(Account account, Func<Account, Account> change, CancellationToken cancellationToken) =>
        ChangeAsync(account, current => Task.FromResult(change(current)), cancellationToken);

    /// <inheritdoc cref="ChangeAsync(Account, Func{Account, Account}, CancellationToken)"/>
    public async Task<Account> ChangeAsync(Account account, Func<Account, Task<Account>> change, CancellationToken cancellationToken) =>
        await ConflictRetry.RunAsync(
            async attempt =>
            {
                if (attempt > 1)
                {
                    account = await FindByEmailAsync(account.Email, cancellationToken) ?? throw new InvalidOperationException("The account vanished while it was changed.");
                }

                return await ReplaceAsync(await change(account), cancellationToken);
            },
            cancellationToken);

    /// <summary>
    /// Moves the account to another address: the row under the new address is inserted first (409 when another account
    /// has it, as for a registration), then the user ID's index row points at it, then the old row goes, under its ETag
    /// (a change made to it meanwhile is copied over and the delete tried again). A move that stopped midway is completed
    /// by moving again: it finds its own row under the new address and goes on.
    /// </summary>
    public async Task<Account> MoveAsync(Account account, string newEmail, string securityStamp, CancellationToken cancellationToken)
    {
        var moved = account with { Email = newEmail, SecurityStamp = securityStamp };
        try
        {
            moved = moved with { ETag = (await Table.AddEntityAsync(ToEntity(moved), cancellationToken)).Headers.ETag ?? default };
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            if (await FindByEmailAsync(newEmail, cancellationToken) is not { } existing || existing.UserId != account.UserId)
            {
                throw;
            }

            moved = await ReplaceAsync(moved with { ETag = existing.ETag }, cancellationToken);
        }

        await storage.GetTableClient(IdIndexTableName).UpsertEntityAsync(
            new TableEntity(account.UserId, "") { ["Email"] = newEmail }, TableUpdateMode.Replace, cancellationToken);
        await ConflictRetry.RunAsync(
            async attempt =>
            {
                if (attempt > 1)
                {
                    if (await FindByEmailAsync(account.Email, cancellationToken) is not { } changed)
                    {
                        return;
                    }

                    // Only this move writes the row under the new address (sessions still name the old one): unconditional.
                    account = changed;
                    moved = await ReplaceAsync(changed with { Email = newEmail, SecurityStamp = securityStamp, ETag = ETag.All }, cancellationToken);
                }

                await Table.DeleteEntityAsync(EmailKey.For(account.Email), AccountRow, account.ETag, cancellationToken);
            },
            cancellationToken);
        return moved;
    }

    /// <summary>Deletes the account if unchanged since read (used to undo a registration that lost a race).</summary>
    public async Task DeleteAsync(Account account, CancellationToken cancellationToken)
    {
        await Table.DeleteEntityAsync(EmailKey.For(account.Email), AccountRow, account.ETag, cancellationToken);
        await storage.GetTableClient(IdIndexTableName).DeleteEntityAsync(account.UserId, "", ETag.All, cancellationToken);
    }

    internal static TableEntity ToEntity(Account a)
    {
        var entity = new TableEntity(EmailKey.For(a.Email), AccountRow)
        {
            ["UserId"] = a.UserId,
            ["Email"] = a.Email,
            ["Role"] = a.Role.ToString(),
            ["Status"] = a.Status.ToString(),
            ["FamilyName"] = a.Name.Family,
            ["GivenName"] = a.Name.Given,
            ["FamilyKana"] = a.Kana?.Family,
            ["GivenKana"] = a.Kana?.Given,
            ["Phone"] = a.Phone,
            ["PostalCode"] = a.Address.PostalCode,
            ["Prefecture"] = a.Address.Prefecture,
            ["City"] = a.Address.City,
            ["Street"] = a.Address.Street,
            ["CompanyName"] = a.Company?.Name,
            ["Department"] = a.Company?.Department,
            ["TermsVersion"] = a.TermsVersion,
            ["TermsAgreedAt"] = a.TermsAgreedAt,
            ["PasswordHash"] = a.PasswordHash,
            ["SecurityStamp"] = a.SecurityStamp,
            ["CreatedAt"] = a.CreatedAt,
            ["ActivationExpiresAt"] = a.ActivationExpiresAt,
            ["ActivatedAt"] = a.ActivatedAt,
            ["DealerId"] = a.DealerId,
            ["StaffEmails"] = a.StaffEmails is null ? null : System.Text.Json.JsonSerializer.Serialize(a.StaffEmails),
            ["Language"] = a.Language,
            ["LockedAt"] = a.LockedAt,
        };
        foreach (var empty in entity.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            entity.Remove(empty);
        }

        return entity;
    }

    internal static Account FromEntity(TableEntity e) => new()
    {
        UserId = e.GetString("UserId")!,
        Email = e.GetString("Email")!,
        Role = Enum.Parse<AccountRole>(e.GetString("Role")!),
        Status = Enum.Parse<AccountStatus>(e.GetString("Status")!),
        Name = new PersonName(e.GetString("FamilyName")!, e.GetString("GivenName")!),
        Kana = e.GetString("FamilyKana") is { } family ? new PersonName(family, e.GetString("GivenKana") ?? "") : null,
        Phone = e.GetString("Phone")!,
        Address = new PostalAddress(e.GetString("PostalCode")!, e.GetString("Prefecture")!, e.GetString("City")!, e.GetString("Street")!),
        Company = e.GetString("CompanyName") is { } company ? new Company(company, e.GetString("Department") ?? "") : null,
        TermsVersion = e.GetString("TermsVersion")!,
        TermsAgreedAt = e.GetDateTimeOffset("TermsAgreedAt")!.Value,
        PasswordHash = e.GetString("PasswordHash"),
        SecurityStamp = e.GetString("SecurityStamp")!,
        CreatedAt = e.GetDateTimeOffset("CreatedAt")!.Value,
        ActivationExpiresAt = e.GetDateTimeOffset("ActivationExpiresAt"),
        ActivatedAt = e.GetDateTimeOffset("ActivatedAt"),
        DealerId = e.GetInt32("DealerId"),
        StaffEmails = e.GetString("StaffEmails") is { } staff ? System.Text.Json.JsonSerializer.Deserialize<List<string>>(staff) : null,
        Language = e.GetString("Language") ?? "ja",
        LockedAt = e.GetDateTimeOffset("LockedAt"),
        ETag = e.ETag,
    };

    public static string NewSecurityStamp() => Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
}
