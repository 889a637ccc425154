namespace KpNet.Simulator;

public enum SimulatedProduct
{
    MultiV2x,
    KpacB,
}

/// <summary>
/// A gateway of the demo inventory as the simulator needs it: telemetry needs no password (the simulator sends with the
/// hub's key), the settings poll does (<see cref="SettingsPoller"/>), as a real gateway's.
/// </summary>
public sealed record DemoGateway(string Id, string Model, string Serial, SimulatedProduct Product, string? Password = null);

/// <summary>Reads the demo inventory CSV (columns id,password,model,serial,product; product multi-v2x or kpac-b).</summary>
public static class DemoGateways
{
    public static IReadOnlyList<DemoGateway> Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(line => line.Trim().Length > 0).ToList();
        if (lines.Count == 0)
        {
            throw new FormatException($"{path} is empty.");
        }

        var header = lines[0].Split(',').Select(h => h.Trim()).ToList();
        int Column(string name) => header.IndexOf(name) is >= 0 and var index
            ? index
            : throw new FormatException($"{path} has no '{name}' column.");

        var (id, model, serial, product) = (Column("id"), Column("model"), Column("serial"), Column("product"));
        var password = header.IndexOf("password");
        return lines.Skip(1).Select((line, row) =>
        {
            var cells = line.Split(',').Select(c => c.Trim()).ToArray();
            if (cells.Length < header.Count)
            {
                throw new FormatException($"{path} line {row + 2} has {cells.Length} columns, expected {header.Count}.");
            }

            return new DemoGateway(cells[id], cells[model], cells[serial], ParseProduct(cells[product], path, row + 2), password >= 0 ? cells[password] : null);
        }).ToList();
    }

    private static SimulatedProduct ParseProduct(string value, string path, int line) => value switch
    {
        "multi-v2x" => SimulatedProduct.MultiV2x,
        "kpac-b" => SimulatedProduct.KpacB,
        _ => throw new FormatException($"{path} line {line}: unknown product '{value}' (multi-v2x or kpac-b)."),
    };
}
