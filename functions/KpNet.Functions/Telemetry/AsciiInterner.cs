using System.Text;

namespace KpNet.Telemetry;

/// <summary>
/// Interns short ASCII strings straight from their UTF-8 bytes: a hash over the bytes, an open-addressing table, and a
/// byte comparison, so a repeated gateway ID, model or status costs no transcoding and no allocation. The hash is
/// randomised per process (<see cref="HashCode"/>), so chosen inputs cannot pile up in one probe chain. The table starts
/// small and doubles while at most half full, up to <see cref="MaxEntries"/> strings; later strings are simply not shared
/// until the owner clears it.
/// </summary>
internal sealed class AsciiInterner
{
    public const int MaxEntries = 65_536;
    private const int InitialSize = 64;

    private Entry[] _entries = new Entry[InitialSize];
    private int _count;

    public int Count => _count;

    public void Clear()
    {
        _entries = new Entry[InitialSize];
        _count = 0;
    }

    /// <returns>The shared string for the bytes, or null when they are not all ASCII (the caller transcodes them).</returns>
    public string? Intern(ReadOnlySpan<byte> ascii)
    {
        if (!Ascii.IsValid(ascii))
        {
            return null;
        }

        var hashCode = new HashCode();
        hashCode.AddBytes(ascii);
        var hash = hashCode.ToHashCode();
        var mask = _entries.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            ref var entry = ref _entries[i];
            if (entry.Value is null)
            {
                var value = Encoding.ASCII.GetString(ascii);
                if (_count < MaxEntries)
                {
                    entry = new Entry(hash, ascii.ToArray(), value);
                    if (++_count * 2 > _entries.Length)
                    {
                        Grow();
                    }
                }

                return value;
            }

            if (entry.Hash == hash && entry.Bytes.AsSpan().SequenceEqual(ascii))
            {
                return entry.Value;
            }
        }
    }

    private void Grow()
    {
        var entries = new Entry[_entries.Length * 2];
        var mask = entries.Length - 1;
        foreach (var entry in _entries)
        {
            if (entry.Value is not null)
            {
                var i = entry.Hash & mask;
                while (entries[i].Value is not null)
                {
                    i = (i + 1) & mask;
                }

                entries[i] = entry;
            }
        }

        _entries = entries;
    }

    private readonly record struct Entry(int Hash, byte[] Bytes, string Value);
}
