using System.Text;

namespace KpNet.Gateways.Inventory;

public sealed record InventoryRow(string Id, string Password, string Model, string Serial, ProductLine Product);

public enum ProductLine
{
    MultiV2x,
    KpacB,
}

public sealed record InventoryCsvError(int Line, string Message);

/// <summary>The factory inventory file: header <c>id,password,model,serial,product</c>, one gateway a line.</summary>
public static class InventoryCsv
{
    public const string Header = "id,password,model,serial,product";

    /// <summary>What the operator's import accepts (UTF-8).</summary>
    public const string ContentType = "text/csv";

    public static (IReadOnlyList<InventoryRow> Rows, IReadOnlyList<InventoryCsvError> Errors) Parse(TextReader reader)
    {
        var rows = new List<InventoryRow>();
        var errors = new List<InventoryCsvError>();
        var header = reader.ReadLine()?.Trim().TrimStart('\uFEFF');
        if (!string.Equals(header, Header, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new InventoryCsvError(1, $"The first line must be \"{Header}\"."));
            return (rows, errors);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(',').Select(f => f.Trim().Normalize(NormalizationForm.FormKC)).ToArray();
            if (fields.Length != 5)
            {
                errors.Add(new InventoryCsvError(lineNumber, $"Expected 5 fields, found {fields.Length}."));
                continue;
            }

            var id = fields[0].ToUpperInvariant();
            var problem = !GatewayId.IsValid(id) ? $"Gateway ID \"{fields[0]}\" is not 12 letters and digits."
                : fields[1].Length is < 8 or > 64 ? "The password must be 8 to 64 characters."
                : fields[2].Length == 0 ? "The model is missing."
                : fields[3].Length == 0 ? "The serial number is missing."
                : ParseProduct(fields[4]) is null ? $"Product \"{fields[4]}\" is not multi-v2x or kpac-b."
                : !seen.Add(id) ? $"Gateway {id} appears twice."
                : null;
            if (problem is not null)
            {
                errors.Add(new InventoryCsvError(lineNumber, problem));
                continue;
            }

            rows.Add(new InventoryRow(id, fields[1], fields[2], fields[3], ParseProduct(fields[4])!.Value));
        }

        return (rows, errors);
    }

    private static ProductLine? ParseProduct(string value) => value.ToLowerInvariant() switch
    {
        "multi-v2x" => ProductLine.MultiV2x,
        "kpac-b" => ProductLine.KpacB,
        _ => null,
    };
}
