using Azure.Data.Tables;
using KpNet.Hosting;
using KpNet.Inventory;
using KpNet.Security;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Inventory;

public sealed class GatewayInventoryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public void The_inventory_csv_reads_rows_normalising_full_width_ids_and_names_every_bad_line()
    {
        var csv = """
            id,password,model,serial,product
            ＧＷ００００９００１ＰＶ,abcdefghijk12,GW-M001,000009001PV,multi-v2x
            rpa0010011bt,abcdefghijk13,KP-GWBT-A,RPA00101BT,kpac-b
            GW0001,abcdefghijk14,GW-M001,1,multi-v2x
            GW00009003PV,short,GW-M001,3,multi-v2x
            GW00009004PV,abcdefghijk15,GW-M001,4,toaster
            GW00009001PV,abcdefghijk16,GW-M001,5,multi-v2x
            GW00009005PV,abcdefghijk17
            """;

        var (rows, errors) = InventoryCsv.Parse(new StringReader(csv));

        Assert.Equal(["GW00009001PV", "RPA0010011BT"], rows.Select(r => r.Id));
        Assert.Equal(ProductLine.KpacB, rows[1].Product);
        Assert.Equal([4, 5, 6, 7, 8], errors.Select(e => e.Line));
    }

    [Fact]
    public void A_file_without_the_expected_header_is_rejected_whole()
    {
        var (rows, errors) = InventoryCsv.Parse(new StringReader("gateway,pw\nGW00009001PV,abcdefghijk12"));

        Assert.Empty(rows);
        Assert.Equal(1, Assert.Single(errors).Line);
    }

    [Fact]
    public async Task The_demo_inventory_is_imported_at_start_with_hashed_passwords_and_a_restart_adds_nothing()
    {
        var csv = Path.Combine(RepositoryRoot.Path, "tools", "demo", "gateways.csv");
        var (rows, errors) = InventoryCsv.Parse(new StringReader(await File.ReadAllTextAsync(csv)));
        Assert.Empty(errors);
        Assert.True(rows.Count >= 20);
        Assert.Contains(rows, r => r.Product == ProductLine.MultiV2x);
        Assert.Contains(rows, r => r.Product == ProductLine.KpacB);

        var settings = new Dictionary<string, string> { ["DemoData:GatewaysCsv"] = csv };
        await using (var app = await TestApp.StartAsync(azurite.ConnectionString, settings: settings))
        {
            var table = app.Services.GetRequiredService<StorageAccount>().GetTableClient(GatewayInventory.TableName);
            var first = rows[0];
            var stored = (await Eventually.ReturnsAsync(
                () => table.GetEntityIfExistsAsync<TableEntity>(first.Id, ""), r => r.HasValue, what: "the demo import")).Value!;
            Assert.Equal(first.Model, stored.GetString("Model"));
            Assert.NotEqual(first.Password, stored.GetString("PasswordHash"));
            Assert.Equal(SecretVerification.Valid, app.Services.GetRequiredService<SecretHasher>().Verify(stored.GetString("PasswordHash")!, first.Password));
            var demoIds = rows.Select(r => r.Id).ToHashSet();
            await Eventually.ReturnsAsync(() => StoredIdsAsync(table), ids => demoIds.IsSubsetOf(ids), what: "every demo gateway");
        }

        await using var restarted = await TestApp.StartAsync(azurite.ConnectionString, settings: settings);
        var result = await restarted.Services.GetRequiredService<GatewayInventory>().ImportAsync(rows, CancellationToken.None);
        Assert.Equal((0, rows.Count, 0), (result.Imported, result.AlreadyPresent, result.Conflicting.Count));
    }

    // Other test classes share this Azurite and add gateways of their own.
    private static async Task<HashSet<string>> StoredIdsAsync(TableClient table)
    {
        var ids = new HashSet<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            ids.Add(entity.PartitionKey);
        }

        return ids;
    }
}
