using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using KpNet.Audit;
using KpNet.Azure.Storage;
using KpNet.Hosting;

namespace KpNet.Accounts.Dealers;

/// <summary>An activated dealer as customers find it: by its numeric ID, confirmed with its phone number.</summary>
public sealed record Dealer(int DealerId, string UserId, string Email, string Name, string Phone, IReadOnlyList<string> StaffEmails, string Language);

/// <summary>
/// Table Dealers: PartitionKey = dealer ID, RowKey "" (name, phone digits, staff addresses as JSON), plus the counter
/// row that hands out the IDs and one row per dealer account ("account-" + UserId) remembering the ID it was given.
/// </summary>
public sealed class DealerDirectory(StorageAccount storage) : IDealerNames
{
    public const string TableName = "Dealers";
    public const int FirstDealerId = 4001;

    // Not a number, so it never collides with a dealer's row.
    private const string CounterPartition = "next-dealer-id";
    private const string AccountPartitionPrefix = "account-";

    private TableClient Table => storage.GetTableClient(TableName);

    public async Task<string?> NameOfAsync(int dealerId, CancellationToken cancellationToken) => (await FindAsync(dealerId, cancellationToken))?.Name;

    public async Task<Dealer?> FindAsync(int dealerId, CancellationToken cancellationToken)
    {
        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(Key(dealerId), "", cancellationToken: cancellationToken)).ValueOrNull();
        return row is null
            ? null
            : new Dealer(dealerId, row.GetString("UserId")!, row.GetString("Email")!, row.GetString("Name")!, row.GetString("Phone")!,
                JsonSerializer.Deserialize<List<string>>(row.GetString("StaffEmails") ?? "[]")!, row.GetString("Language") ?? "ja");
    }

    public async Task UpsertAsync(Dealer dealer, CancellationToken cancellationToken) =>
        await Table.UpsertEntityAsync(new TableEntity(Key(dealer.DealerId), "")
        {
            ["UserId"] = dealer.UserId,
            ["Email"] = dealer.Email,
            ["Name"] = dealer.Name,
            ["Phone"] = dealer.Phone,
            ["StaffEmails"] = JsonSerializer.Serialize(dealer.StaffEmails),
            ["Language"] = dealer.Language,
        }, TableUpdateMode.Replace, cancellationToken);

    public async Task UpdateStaffEmailsAsync(int dealerId, IReadOnlyList<string> staffEmails, CancellationToken cancellationToken) =>
        await Table.UpdateEntityAsync(new TableEntity(Key(dealerId), "") { ["StaffEmails"] = JsonSerializer.Serialize(staffEmails) },
            ETag.All, TableUpdateMode.Merge, cancellationToken);

    /// <summary>The account's dealer ID: the one it was given before (a repeated activation), else the next one.</summary>
    /// <returns>The ID, and whether it was assigned just now.</returns>
    public async Task<(int DealerId, bool New)> AssignIdAsync(string userId, CancellationToken cancellationToken)
    {
        var accountKey = AccountPartitionPrefix + userId;
        if ((await Table.GetEntityIfExistsAsync<TableEntity>(accountKey, "", cancellationToken: cancellationToken)).ValueOrNull()?.GetInt32("DealerId") is { } given)
        {
            return (given, false);
        }

        var dealerId = await AssignNextIdAsync(cancellationToken);
        try
        {
            await Table.AddEntityAsync(new TableEntity(accountKey, "") { ["DealerId"] = dealerId }, cancellationToken);
            return (dealerId, true);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // A concurrent activation of the same account got there first; this number stays unused.
            var row = (await Table.GetEntityIfExistsAsync<TableEntity>(accountKey, "", cancellationToken: cancellationToken)).ValueOrNull()!;
            return (row.GetInt32("DealerId")!.Value, false);
        }
    }

    /// <summary>
    /// The next dealer ID (4001, 4002, …): the counter row is advanced only with the ETag it was read with, so two
    /// concurrent sign-ups never get the same number; the loser reads again and takes the next one.
    /// </summary>
    private async Task<int> AssignNextIdAsync(CancellationToken cancellationToken)
    {
        return await ConflictRetry.RunAsync(
            async _ =>
            {
                var row = (await Table.GetEntityIfExistsAsync<TableEntity>(CounterPartition, "", cancellationToken: cancellationToken)).ValueOrNull();
                var next = row?.GetInt32("Next") ?? FirstDealerId;
                var entity = new TableEntity(CounterPartition, "") { ["Next"] = next + 1 };

                if (row is null)
                {
                    await Table.AddEntityAsync(entity, cancellationToken);
                }
                else
                {
                    await Table.UpdateEntityAsync(entity, row.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return next;
            },
            cancellationToken);
    }

    private static string Key(int dealerId) => dealerId.ToString(CultureInfo.InvariantCulture);
}
