namespace KpNet.Notifications;

/// <summary>
/// "ACS is throttling (or failing) until T", shared by every SendEmail invocation of this instance. While it holds,
/// invocations wait their turn one at a time instead of all hammering ACS and burning their queue messages' tries;
/// once a send gets through, the rest follow as the pause allows. Per instance on purpose: each instance learns
/// ACS's answer from its own first refused request, and ACS's Retry-After is the authority anyway.
/// </summary>
public sealed class SendingPause(TimeProvider time) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _turn = new(1, 1);
    private DateTimeOffset _until = DateTimeOffset.MinValue;

    public DateTimeOffset Until
    {
        get
        {
            lock (_gate)
            {
                return _until;
            }
        }
    }

    public void PauseFor(TimeSpan wait)
    {
        var until = time.GetUtcNow() + wait;
        lock (_gate)
        {
            if (until > _until)
            {
                _until = until;
            }
        }
    }

    /// <summary>
    /// Returns when this invocation may send: at once when no pause holds, otherwise after the pause and in turn.
    /// Null when the pause outlasts <paramref name="deadline"/>: the caller should give the message back instead.
    /// Dispose the turn after sending.
    /// </summary>
    public async Task<IDisposable?> WaitForTurnAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (Until <= time.GetUtcNow())
        {
            return Turn.Free;
        }

        await _turn.WaitAsync(cancellationToken);
        var turn = new Turn(_turn);
        try
        {
            var until = Until;
            if (until > deadline)
            {
                turn.Dispose();
                return null;
            }

            var wait = until - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken);
            }

            return turn;
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    public void Dispose() => _turn.Dispose();

    private sealed class Turn(SemaphoreSlim? semaphore) : IDisposable
    {
        public static readonly Turn Free = new(null);

        private SemaphoreSlim? _semaphore = semaphore;

        public void Dispose() => Interlocked.Exchange(ref _semaphore, null)?.Release();
    }
}
