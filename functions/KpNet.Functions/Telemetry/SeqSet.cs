using System.Globalization;
using System.Text;

namespace KpNet.Telemetry;

/// <summary>
/// The events a rollup row has counted, by (boot, seq), as sorted ranges of seqs per boot ("100-104,107,3:1-2": seqs 100
/// to 104 and 107 of boot 0, seqs 1 and 2 of boot 3), so a replayed or duplicated event is recognised and never counted
/// twice, while the seqs a gateway sends again after a restart within the bucket are new events. Seqs of one boot are
/// consecutive, so a bucket's set stays a range or two.
/// </summary>
public sealed class SeqSet
{
    private readonly List<(long Boot, long Start, long End)> _ranges = [];

    public static SeqSet Parse(string? text)
    {
        var set = new SeqSet();
        if (string.IsNullOrEmpty(text))
        {
            return set;
        }

        foreach (var part in text.Split(','))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            var boot = colon < 0 ? 0 : long.Parse(part.AsSpan(0, colon), CultureInfo.InvariantCulture);
            var seqs = part.AsSpan(colon + 1);
            var dash = seqs.IndexOf('-');
            var start = long.Parse(dash < 0 ? seqs : seqs[..dash], CultureInfo.InvariantCulture);
            var end = dash < 0 ? start : long.Parse(seqs[(dash + 1)..], CultureInfo.InvariantCulture);
            set._ranges.Add((boot, start, end));
        }

        return set;
    }

    public bool Contains(long boot, long seq) => IndexOfRangeAtOrBefore(boot, seq) is var i && i >= 0 && _ranges[i].Boot == boot && _ranges[i].End >= seq;

    /// <returns>False when the event was already in the set.</returns>
    public bool Add(long boot, long seq)
    {
        var i = IndexOfRangeAtOrBefore(boot, seq);
        if (i >= 0 && _ranges[i].Boot == boot && _ranges[i].End >= seq)
        {
            return false;
        }

        var joinsPrevious = i >= 0 && _ranges[i].Boot == boot && _ranges[i].End == seq - 1;
        var joinsNext = i + 1 < _ranges.Count && _ranges[i + 1].Boot == boot && _ranges[i + 1].Start == seq + 1;
        if (joinsPrevious && joinsNext)
        {
            _ranges[i] = (boot, _ranges[i].Start, _ranges[i + 1].End);
            _ranges.RemoveAt(i + 1);
        }
        else if (joinsPrevious)
        {
            _ranges[i] = (boot, _ranges[i].Start, seq);
        }
        else if (joinsNext)
        {
            _ranges[i + 1] = (boot, seq, _ranges[i + 1].End);
        }
        else
        {
            _ranges.Insert(i + 1, (boot, seq, seq));
        }

        return true;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (boot, start, end) in _ranges)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            if (boot != 0)
            {
                text.Append(boot.ToString(CultureInfo.InvariantCulture)).Append(':');
            }

            text.Append(start.ToString(CultureInfo.InvariantCulture));
            if (end != start)
            {
                text.Append('-').Append(end.ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    // The last range starting at or before (boot, seq), or -1.
    private int IndexOfRangeAtOrBefore(long boot, long seq)
    {
        int low = 0, high = _ranges.Count - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            if (_ranges[mid].Boot < boot || (_ranges[mid].Boot == boot && _ranges[mid].Start <= seq))
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found;
    }
}
