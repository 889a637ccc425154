using ManualClock = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace KpNet.Tests.Infrastructure;

/// <summary>Waits for an asynchronous outcome (a queue drained, a mail delivered) without fixed sleeps.</summary>
public static class Eventually
{
    public static Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null) =>
        PollAsync(probe, done, TimeSpan.FromMilliseconds(100), beforeNextTry: null, timeout, what);

    /// <summary>
    /// For an outcome the app reaches on <paramref name="clock"/>'s time (back-offs, leases): moves it forward by
    /// <paramref name="step"/> between tries. Small steps keep the app's waits ending in order, as they would in real time.
    /// </summary>
    public static Task<T> ReturnsWhileAdvancingAsync<T>(
        ManualClock clock, TimeSpan step, Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null) =>
        PollAsync(probe, done, TimeSpan.FromMilliseconds(20), () => clock.Advance(step), timeout, what);

    private static async Task<T> PollAsync<T>(
        Func<Task<T>> probe, Func<T, bool> done, TimeSpan interval, Action? beforeNextTry, TimeSpan? timeout, string? what)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what ?? "the condition"}; last value: {value}");
            }

            beforeNextTry?.Invoke();
            await Task.Delay(interval);
        }
    }
}
