namespace KpNet.Telemetry.Alerts;

/// <summary>An alert as every screen shows it (owner, dealer, operator): its meaning in the reader's language.</summary>
public sealed record AlertView(string Id, string Code, int UnitNo, string Severity, DateTimeOffset RaisedAt, DateTimeOffset? ClearedAt, string Message)
{
    public static AlertView Of(AlertOccurrence alert, bool english) => new(
        alert.Id, alert.Code, alert.Unit, alert.Severity.ToString().ToLowerInvariant(), alert.RaisedAt, alert.ClearedAt,
        AlertCatalogue.Describe(alert.Code).Meaning(english));
}
