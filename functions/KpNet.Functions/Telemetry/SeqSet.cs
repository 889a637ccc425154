using System.Globalization;
using System.Text;

namespace KpNet.Telemetry;

/// <summary>
/// The event seqs a rollup row has counted, as sorted ranges ("100-104,107"), so a replayed or duplicated event is
/// recognised and never counted twice. Seqs of one gateway are consecutive, so a bucket's set stays a range or two.
/// </summary>
public sealed class SeqSet
{
    private readonly List<(long Start, long End)> _ranges = [];

    public static SeqSet Parse(string? text)
    {
        var set = new SeqSet();
        if (string.IsNullOrEmpty(text))
        {
            return set;
        }

        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var start = long.Parse(dash < 0 ? part : part[..dash], CultureInfo.InvariantCulture);
            var end = dash < 0 ? start : long.Parse(part[(dash + 1)..], CultureInfo.InvariantCulture);
            set._ranges.Add((start, end));
        }

        return set;
    }

    public bool Contains(long seq) => IndexOfRangeAtOrBefore(seq) is var i && i >= 0 && _ranges[i].End >= seq;

    /// <returns>False when the seq was already in the set.</returns>
    public bool Add(long seq)
    {
        var i = IndexOfRangeAtOrBefore(seq);
        if (i >= 0 && _ranges[i].End >= seq)
        {
            return false;
        }

        var joinsPrevious = i >= 0 && _ranges[i].End == seq - 1;
        var joinsNext = i + 1 < _ranges.Count && _ranges[i + 1].Start == seq + 1;
        if (joinsPrevious && joinsNext)
        {
            _ranges[i] = (_ranges[i].Start, _ranges[i + 1].End);
            _ranges.RemoveAt(i + 1);
        }
        else if (joinsPrevious)
        {
            _ranges[i] = (_ranges[i].Start, seq);
        }
        else if (joinsNext)
        {
            _ranges[i + 1] = (seq, _ranges[i + 1].End);
        }
        else
        {
            _ranges.Insert(i + 1, (seq, seq));
        }

        return true;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (start, end) in _ranges)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(start.ToString(CultureInfo.InvariantCulture));
            if (end != start)
            {
                text.Append('-').Append(end.ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    // The last range starting at or before seq, or -1.
    private int IndexOfRangeAtOrBefore(long seq)
    {
        int low = 0, high = _ranges.Count - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            if (_ranges[mid].Start <= seq)
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
