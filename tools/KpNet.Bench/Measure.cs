using System.Diagnostics;

namespace KpNet.Bench;

/// <summary>
/// Median of several timed runs after warm-up, with the bytes the run allocated on this thread and the CPU time the
/// process used meanwhile (so "per core" holds on a shared machine, where wall time also counts waiting for a core).
/// </summary>
public readonly record struct Measurement(string Name, int Items, double MedianSeconds, long MedianBytes, double MedianCpuSeconds = double.NaN, double BestCpuSeconds = double.NaN)
{
    public double ItemsPerSecond => Items / MedianSeconds;

    /// <summary>Items per second of CPU time: the throughput of one fully available core.</summary>
    public double ItemsPerCpuSecond => Items / MedianCpuSeconds;

    /// <summary>The fastest iteration's: what a core does when nothing else on a shared machine gets in the way.</summary>
    public double BestItemsPerCpuSecond => Items / BestCpuSeconds;

    public double NanosecondsPerItem => MedianSeconds * 1e9 / Items;

    public double BytesPerItem => (double)MedianBytes / Items;

    public static Measurement Run(string name, Func<int> run, int warmups = 5, int iterations = 15)
    {
        for (var i = 0; i < warmups; i++)
        {
            run();
        }

        var times = new List<double>();
        var cpuTimes = new List<double>();
        var bytes = new List<long>();
        using var process = Process.GetCurrentProcess();
        var items = 0;
        for (var i = 0; i < iterations; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            items = run();
            clock.Stop();
            process.Refresh();
            cpuTimes.Add((process.TotalProcessorTime - cpuBefore).TotalSeconds);
            bytes.Add(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
            times.Add(clock.Elapsed.TotalSeconds);
        }

        return new Measurement(name, items, Median(times), (long)Median(bytes.Select(b => (double)b).ToList()), Median(cpuTimes), cpuTimes.Min());
    }

    public static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    /// <summary>The value below which <paramref name="fraction"/> of the values fall (nearest rank).</summary>
    public static double Percentile(List<double> values, double fraction)
    {
        values.Sort();
        return values[Math.Clamp((int)Math.Ceiling(fraction * values.Count) - 1, 0, values.Count - 1)];
    }
}
