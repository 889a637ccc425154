namespace KpNet.Tests.Infrastructure;

/// <summary>
/// A clock the test moves forward: register it with <c>configure: b => b.Services.AddSingleton&lt;TimeProvider&gt;(clock)</c>
/// to test expiry and lockouts without waiting. Between moves it runs with real time, so the app's own waits and
/// deadlines (mail sending, queue polling) still pass as they would.
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
