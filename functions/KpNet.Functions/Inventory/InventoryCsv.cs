using System.Text;
using KpNet.Http;
using Microsoft.Net.Http.Headers;

namespace KpNet.Inventory;

/// <summary>A gateway of the factory's inventory; <see cref="Line"/> is the file line it was read from (0 when not from a file).</summary>
public sealed record InventoryRow(string Id, string Password, string Model, string Serial, ProductLine Product, int Line = 0);

public enum ProductLine
{
    MultiV2x,
    KpacB,
}

public static class ProductLines
{
    /// <summary>The product as the API spells it (the inventory CSV takes the same names).</summary>
    public static string? Name(ProductLine? product) => product switch
    {
        ProductLine.MultiV2x => "multi-v2x",
        ProductLine.KpacB => "kpac-b",
        _ => null,
    };
}

/// <summary>One refused line: its number (the header is line 1), the column at fault (null for the whole line) and why.</summary>
public sealed record InventoryCsvError(int Line, string? Column, MessageKey Problem, string? Value = null)
{
    public string Message(bool english) => Messages.Get(Problem, english, Value ?? "");
}

/// <summary>The factory inventory file: header <c>id,password,model,serial,product</c>, one gateway a line.</summary>
public static class InventoryCsv
{
    public const string Header = "id,password,model,serial,product";

    /// <summary>What the operator's import accepts: UTF-8, or Shift_JIS as Japanese spreadsheets still write it.</summary>
    public const string ContentType = "text/csv";

    public const int MaxModelLength = 32;
    public const int MaxSerialLength = 32;

    private static readonly string[] Columns = Header.Split(',');

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Code page 932 (Windows-31J), the Shift_JIS that Excel writes; strict, so bytes it cannot read are refused.</summary>
    private static readonly Encoding ShiftJis = CodePagesEncodingProvider.Instance.GetEncoding(932, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback)!;

    /// <summary>
    /// The file's text: in the charset the Content-Type names (UTF-8 or Shift_JIS), else UTF-8 when the bytes are UTF-8 and
    /// Shift_JIS otherwise (a browser uploads a file as it is, without a charset). Null when it cannot be read so.
    /// </summary>
    public static string? Decode(byte[] body, string? contentType)
    {
        var charset = MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.Charset.Value?.Trim('"').ToLowerInvariant() : null;
        Encoding[] candidates = charset switch
        {
            null or "" => [StrictUtf8, ShiftJis],
            "utf-8" or "utf8" => [StrictUtf8],
            "shift_jis" or "shift-jis" or "sjis" or "x-sjis" or "windows-31j" or "cp932" or "ms932" => [ShiftJis],
            _ => [],
        };
        foreach (var encoding in candidates)
        {
            try
            {
                return encoding.GetString(body);
            }
            catch (DecoderFallbackException)
            {
            }
        }

        return null;
    }

    public static (IReadOnlyList<InventoryRow> Rows, IReadOnlyList<InventoryCsvError> Errors) Parse(TextReader reader)
    {
        var rows = new List<InventoryRow>();
        var errors = new List<InventoryCsvError>();
        var header = reader.ReadLine()?.Trim().TrimStart('\uFEFF');
        if (!string.Equals(header, Header, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new InventoryCsvError(1, null, MessageKey.InventoryHeaderInvalid, Header));
            return (rows, errors);
        }

        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(',').Select(f => f.Trim().Normalize(NormalizationForm.FormKC)).ToArray();
            if (fields.Length != Columns.Length)
            {
                errors.Add(new InventoryCsvError(lineNumber, null, MessageKey.InventoryFieldCount, fields.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                continue;
            }

            var id = fields[0].ToUpperInvariant();
            var product = ParseProduct(fields[4]);
            var error = !GatewayId.IsValid(id) ? new InventoryCsvError(lineNumber, "id", MessageKey.InventoryGatewayIdInvalid, fields[0])
                : fields[1].Length is < 8 or > 64 ? new InventoryCsvError(lineNumber, "password", MessageKey.InventoryPasswordLength)
                : fields[2].Length is 0 or > MaxModelLength || !FreeText.IsAllowed(fields[2]) ? new InventoryCsvError(lineNumber, "model", MessageKey.InventoryModelInvalid)
                : !IsSerial(fields[3]) ? new InventoryCsvError(lineNumber, "serial", MessageKey.InventorySerialInvalid)
                : product is null ? new InventoryCsvError(lineNumber, "product", MessageKey.InventoryProductInvalid, fields[4])
                : firstLineOf.TryGetValue(id, out var first) ? new InventoryCsvError(lineNumber, "id", MessageKey.InventoryDuplicateId, first.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : null;
            if (error is not null)
            {
                errors.Add(error);
                continue;
            }

            firstLineOf[id] = lineNumber;
            rows.Add(new InventoryRow(id, fields[1], fields[2], fields[3], product!.Value, lineNumber));
        }

        return (rows, errors);
    }

    /// <summary>A serial number: letters, digits, '-', '.' and '_' (it is a key of the serial index, so never '/', '\', '#' or '?').</summary>
    public static bool IsSerial(string value) =>
        value.Length is > 0 and <= MaxSerialLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');

    private static ProductLine? ParseProduct(string value) => value.ToLowerInvariant() switch
    {
        "multi-v2x" => ProductLine.MultiV2x,
        "kpac-b" => ProductLine.KpacB,
        _ => null,
    };
}
