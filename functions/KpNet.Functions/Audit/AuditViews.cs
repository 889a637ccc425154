using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace KpNet.Audit;

/// <summary>A dealer's name as the log shows it: the dealer directory answers.</summary>
public interface IDealerNames
{
    Task<string?> NameOfAsync(int dealerId, CancellationToken cancellationToken);
}

/// <summary>Log entries as the customer's 閲覧履歴 and the operator's search and CSV export show them.</summary>
public static class AuditViews
{
    public const string CsvContentType = "text/csv; charset=utf-8";

    public sealed record AuditEntryView(
        DateTimeOffset At, int? DealerId, string? DealerName, string GatewayId, IReadOnlyList<string> Fields,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ViewerUserId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Action,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CustomerUserId);

    public static async Task<List<AuditEntryView>> ViewsAsync(IReadOnlyList<AuditEntry> entries, IDealerNames dealers, bool forOperator, CancellationToken cancellationToken)
    {
        var names = new Dictionary<int, string?>();
        foreach (var dealerId in entries.Select(e => e.DealerId).OfType<int>().Distinct())
        {
            names[dealerId] = await dealers.NameOfAsync(dealerId, cancellationToken);
        }

        return entries.Select(e => new AuditEntryView(e.At, e.DealerId, e.DealerId is { } id ? names[id] : null, e.GatewayId, e.Fields,
            forOperator ? e.ViewerUserId : null, e.Action, forOperator ? e.Reason : null, forOperator ? e.CustomerUserId : null)).ToList();
    }

    /// <summary>
    /// UTF-8 with a byte order mark, which Excel needs to read it as UTF-8; times in Japan time. A value a spreadsheet would
    /// run as a formula (=, +, -, @ first) is prefixed with an apostrophe.
    /// </summary>
    public static string Csv(IReadOnlyList<AuditEntryView> entries)
    {
        var csv = new StringBuilder("\uFEFFat,customerUserId,viewerUserId,dealerId,dealerName,gatewayId,fields,action,reason\r\n");
        foreach (var e in entries)
        {
            string?[] cells =
            [
                JapanTime.Of(e.At).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), e.CustomerUserId, e.ViewerUserId,
                e.DealerId?.ToString(CultureInfo.InvariantCulture), e.DealerName, e.GatewayId, string.Join(' ', e.Fields), e.Action, e.Reason,
            ];
            csv.AppendJoin(',', cells.Select(Cell)).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Cell(string? value)
    {
        var text = value ?? "";
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@')
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
