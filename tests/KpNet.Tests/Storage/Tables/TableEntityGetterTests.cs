using KpNet.Azure.Storage.Tables;

namespace KpNet.Tests.Storage.Tables;

public sealed class TableEntityGetterTests
{
    [Fact]
    public void Typed_getters_read_a_missing_property_as_null_not_as_zero_or_false()
    {
        var entity = new TableEntity("p", "r");

        Assert.Null(entity.GetInt32("Soc"));
        Assert.Null(entity.GetInt64("Seq"));
        Assert.Null(entity.GetDouble("Watts"));
        Assert.Null(entity.GetBoolean("Connected"));
        Assert.Null(entity.GetDateTimeOffset("At"));
        Assert.Null(entity.GetGuid("Id"));
        Assert.Null(entity.GetString("Name"));
        Assert.Null(entity.GetBinary("Blob"));
    }

    [Fact]
    public void Typed_getters_widen_int_to_long_and_double_and_reject_other_types()
    {
        var entity = new TableEntity("p", "r") { ["N"] = 7, ["S"] = "text" };

        Assert.Equal(7L, entity.GetInt64("N"));
        Assert.Equal(7.0, entity.GetDouble("N"));
        Assert.Throws<InvalidOperationException>(() => entity.GetInt32("S"));
    }
}
