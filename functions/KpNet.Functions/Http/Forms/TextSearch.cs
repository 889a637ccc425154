namespace KpNet.Http.Forms;

public static class TextSearch
{
    /// <summary>Free text is stored as typed: a search finds "御室邸（自宅）" whether the parentheses are typed full- or half-width.</summary>
    public static bool Matches(string stored, string normalizedQuery) =>
        JsonForm.Normalize(stored).Contains(normalizedQuery, StringComparison.OrdinalIgnoreCase);
}
