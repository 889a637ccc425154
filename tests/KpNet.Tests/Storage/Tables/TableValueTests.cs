using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using KpNet.Azure.Storage.Tables;
using KpNet.Hosting;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Storage.Tables;

/// <summary>
/// How values round-trip through the SDK on Azurite, and that rows written by the table client the app had before the
/// SDK (its JSON kept below byte for byte) read the same: a deployed system has such rows.
/// </summary>
public sealed class TableValueTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset When = new DateTimeOffset(2026, 11, 21, 20, 29, 41, TimeSpan.Zero).AddTicks(6813466);
    private static readonly Guid Id = Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff");

    private readonly string _tableName = UniqueName.For("values");
    private TableClient _table = null!;

    public async Task InitializeAsync()
    {
        _table = AppTables.Client(azurite.ConnectionString, _tableName);
        await _table.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task Every_type_the_app_writes_reads_back_as_written()
    {
        await _table.AddEntityAsync(new TableEntity("p", "types")
        {
            ["Text"] = "日本語 'quoted'",
            ["Flag"] = false,
            ["Small"] = 42,
            ["Seq"] = 7L,
            ["Big"] = 9007199254740993L,
            ["Ratio"] = 0.1,
            ["Watts"] = 3200.0,
            ["When"] = When,
            ["InJapan"] = When.ToOffset(TimeSpan.FromHours(9)),
            ["UtcDateTime"] = When.UtcDateTime,
            ["Id"] = Id,
            ["Bytes"] = new byte[] { 0, 1, 254, 255 },
            ["Data"] = BinaryData.FromBytes(new byte[] { 9, 8 }),
            ["Nothing"] = null,
        });

        var read = (await _table.GetEntityAsync<TableEntity>("p", "types")).Value;

        Assert.Equal("日本語 'quoted'", read.GetString("Text"));
        Assert.False(read.GetBoolean("Flag"));
        Assert.Equal(42, read.GetInt32("Small"));
        Assert.Equal((7L, 9007199254740993L), (read.GetInt64("Seq"), read.GetInt64("Big")));
        Assert.Equal((0.1, 3200.0), (read.GetNumber("Ratio"), read.GetNumber("Watts")));
        Assert.Equal(When.UtcTicks, read.GetDateTimeOffset("When")!.Value.UtcTicks);
        Assert.Equal((When.UtcTicks, TimeSpan.Zero), (read.GetDateTimeOffset("InJapan")!.Value.UtcTicks, read.GetDateTimeOffset("InJapan")!.Value.Offset));
        Assert.Equal(When.UtcTicks, read.GetDateTimeOffset("UtcDateTime")!.Value.UtcTicks);
        Assert.Equal(Id, read.GetGuid("Id"));
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, read.GetBinary("Bytes"));
        Assert.Equal(new byte[] { 9, 8 }, read.GetBinary("Data"));
        Assert.False(read.ContainsKey("Nothing"));
    }

    [Fact]
    public async Task A_whole_double_that_Azure_answers_without_its_type_reads_as_a_double()
    {
        // Azure sends a Double of 3200.0 as a bare 3200 and the SDK reads an Int32 (a long past Int32); Azurite keeps
        // the type, so the row is stored as Azure answers it.
        await _table.AddEntityAsync(new TableEntity("p", "whole") { ["PvW"] = 3200, ["EnergyWh"] = 10_000_000_000L, ["Text"] = "3200" });

        var read = (await _table.GetEntityAsync<TableEntity>("p", "whole")).Value;

        Assert.Equal((3200.0, 1e10), (read.GetNumber("PvW"), read.GetNumber("EnergyWh")));
        Assert.Null(read.GetNumber("Missing"));
        Assert.Throws<InvalidOperationException>(() => read.GetDouble("PvW"));
        Assert.Throws<InvalidOperationException>(() => read.GetNumber("Text"));
    }

    [Fact]
    public async Task A_row_the_former_client_wrote_reads_the_same_through_the_SDK()
    {
        // TableEntityJson.Serialize of the former client: non-ASCII escaped, each type annotation before its value,
        // times with 7 fractional digits and Z, a whole double as a bare number, NaN as text.
        var formerJson = """
            {"PartitionKey":"GW00009005PV","RowKey":"status","Text":"\u65E5\u672C\u8A9E 'q'","Flag":true,"Small":42,
            "Seq@odata.type":"Edm.Int64","Seq":"9007199254740993","PvW@odata.type":"Edm.Double","PvW":3200,
            "Ratio@odata.type":"Edm.Double","Ratio":0.1,"Odd@odata.type":"Edm.Double","Odd":"NaN",
            "Ts@odata.type":"Edm.DateTime","Ts":"2026-11-21T20:29:41.6813466Z","Id@odata.type":"Edm.Guid","Id":"6f9619ff-8b86-d011-b42d-00c04fc964ff",
            "Bytes@odata.type":"Edm.Binary","Bytes":"AAH+/w=="}
            """.ReplaceLineEndings(string.Empty);
        var formerClient = AppTables.Client(azurite.ConnectionString, _tableName, new TablePolicy(new SendsBody(formerJson), HttpPipelinePosition.PerRetry));
        await formerClient.AddEntityAsync(new TableEntity("GW00009005PV", "status"));

        var read = (await _table.GetEntityAsync<TableEntity>("GW00009005PV", "status")).Value;

        Assert.Equal(("日本語 'q'", true, 42), (read.GetString("Text"), read.GetBoolean("Flag"), read.GetInt32("Small")));
        Assert.Equal(9007199254740993L, read.GetInt64("Seq"));
        Assert.Equal((3200.0, 0.1), (read.GetNumber("PvW"), read.GetNumber("Ratio")));
        Assert.True(double.IsNaN(read.GetNumber("Odd")!.Value));
        Assert.Equal(When.UtcTicks, read.GetDateTimeOffset("Ts")!.Value.UtcTicks);
        Assert.Equal(Id, read.GetGuid("Id"));
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, read.GetBinary("Bytes"));
    }

    /// <summary>Sends the given JSON in place of the body the SDK wrote.</summary>
    private sealed class SendsBody(string json) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(json));
    }
}
