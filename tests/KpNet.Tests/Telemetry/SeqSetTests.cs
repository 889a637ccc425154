using KpNet.Telemetry;

namespace KpNet.Tests.Telemetry;

public sealed class SeqSetTests
{
    [Fact]
    public void Consecutive_seqs_collapse_into_ranges_in_any_order_and_repeats_are_refused()
    {
        var set = new SeqSet();

        Assert.True(set.Add(5));
        Assert.True(set.Add(3));
        Assert.True(set.Add(4));
        Assert.True(set.Add(9));
        Assert.False(set.Add(4));
        Assert.True(set.Add(7));

        Assert.Equal("3-5,7,9", set.ToString());
        Assert.True(set.Contains(4));
        Assert.False(set.Contains(8));
    }

    [Fact]
    public void A_set_survives_its_text_form()
    {
        var set = SeqSet.Parse("3-5,7,9");

        Assert.False(set.Add(3));
        Assert.True(set.Add(8));
        Assert.Equal("3-5,7-9", set.ToString());
        Assert.Equal("", SeqSet.Parse(null).ToString());
    }
}
