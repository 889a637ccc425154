using KpNet.Azure.Storage.Tables;

namespace KpNet.Tests.Storage.Tables;

public sealed class CreateQueryFilterTests
{
    [Fact]
    public void Strings_are_quoted_with_embedded_quotes_doubled()
    {
        var userInput = "' or RowKey ne '";

        Assert.Equal("Name eq ''' or RowKey ne '''", TableClient.CreateQueryFilter($"Name eq {userInput}"));
    }

    [Fact]
    public void Every_supported_type_becomes_its_OData_literal()
    {
        var when = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(9)).AddTicks(1234567);
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        var filter = TableClient.CreateQueryFilter(
            $"{42} {9007199254740993L} {true} {false} {0.1} {when} {new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)} {id} {new byte[] { 0x0A, 0xFF }} {(string?)null}");

        Assert.Equal(
            "42 9007199254740993L true false 0.1 datetime'2026-01-01T18:04:05.1234567Z' datetime'2026-01-02T03:04:05.0000000Z' " +
            "guid'0f8fad5b-d9cb-469f-a165-70867728950e' X'0aff' null",
            filter);
    }

    [Fact]
    public void Doubles_are_formatted_invariantly_whatever_the_culture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            Assert.Equal("Ratio gt 1.5", TableClient.CreateQueryFilter($"Ratio gt {1.5}"));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Unsupported_types_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => TableClient.CreateQueryFilter($"X eq {new object()}"));
    }
}
