namespace KpNet.Tests.Infrastructure;

/// <summary>
/// A clock the test moves: register it with <c>configure: b => b.Services.AddSingleton&lt;TimeProvider&gt;(clock)</c>
/// to test expiry and lockouts without waiting. Starts at the real current time so rows stay plausible.
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
