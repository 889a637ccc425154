using KpNet.Telemetry;

namespace KpNet.Tests.Telemetry;

public sealed class SeqSetTests
{
    [Fact]
    public void Consecutive_seqs_collapse_into_ranges_in_any_order_and_repeats_are_refused()
    {
        var set = new SeqSet();

        Assert.True(set.Add(0, 5));
        Assert.True(set.Add(0, 3));
        Assert.True(set.Add(0, 4));
        Assert.True(set.Add(0, 9));
        Assert.False(set.Add(0, 4));
        Assert.True(set.Add(0, 7));

        Assert.Equal("3-5,7,9", set.ToString());
        Assert.True(set.Contains(0, 4));
        Assert.False(set.Contains(0, 8));
    }

    [Fact]
    public void The_seqs_of_another_boot_are_other_events_and_never_join_this_boots_ranges()
    {
        var set = new SeqSet();

        Assert.True(set.Add(0, 1));
        Assert.True(set.Add(0, 2));
        Assert.True(set.Add(1763719200, 1));
        Assert.True(set.Add(1763719200, 2));
        Assert.True(set.Add(7, 3));
        Assert.False(set.Add(1763719200, 1));
        Assert.True(set.Add(0, 3));

        Assert.Equal("1-3,7:3,1763719200:1-2", set.ToString());
        Assert.False(set.Contains(7, 2));
        Assert.True(set.Contains(1763719200, 2));
    }

    [Fact]
    public void A_set_survives_its_text_form()
    {
        var set = SeqSet.Parse("3-5,7,9,2:1-4");

        Assert.False(set.Add(0, 3));
        Assert.False(set.Add(2, 4));
        Assert.True(set.Add(0, 8));
        Assert.True(set.Add(2, 5));
        Assert.Equal("3-5,7-9,2:1-5", set.ToString());
        Assert.Equal("", SeqSet.Parse(null).ToString());
    }
}
