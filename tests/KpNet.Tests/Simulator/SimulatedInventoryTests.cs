using KpNet.Inventory;
using KpNet.Simulator;

namespace KpNet.Tests.Simulator;

public sealed class SimulatedInventoryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kpnet-inventory-").FullName;

    [Fact]
    public void A_made_inventory_is_accepted_by_the_operator_import_and_read_back_by_the_simulator()
    {
        var path = Path.Combine(_folder, "simulated.csv");

        SimulatedInventory.Write(path, 500);

        var (rows, errors) = InventoryCsv.Parse(new StringReader(File.ReadAllText(path)));
        Assert.Empty(errors);
        Assert.Equal(500, rows.Select(r => r.Id).Distinct().Count());
        Assert.Equal(500, rows.Select(r => r.Password).Distinct().Count());
        Assert.All(rows, r => Assert.StartsWith("SM", r.Id, StringComparison.Ordinal));
        Assert.Equal(rows.Select(r => (r.Id, r.Model, r.Serial)), DemoGateways.Read(path).Select(g => (g.Id, g.Model, g.Serial)));
        Assert.Equal(
            rows.Select(r => r.Product == ProductLine.MultiV2x),
            DemoGateways.Read(path).Select(g => g.Product == SimulatedProduct.MultiV2x));
    }

    [Fact]
    public void An_existing_inventory_is_not_overwritten()
    {
        var path = Path.Combine(_folder, "simulated.csv");
        SimulatedInventory.Write(path, 3);
        var imported = File.ReadAllText(path);

        Assert.Throws<IOException>(() => SimulatedInventory.Write(path, 3));
        Assert.Equal(imported, File.ReadAllText(path));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
