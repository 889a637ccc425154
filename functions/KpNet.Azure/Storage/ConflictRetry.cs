using System.Diagnostics;
using Azure;

namespace KpNet.Azure.Storage;

/// <summary>
/// The one policy for read–decide–write steps guarded by an ETag (If-Match) or by insert-only (Add): when another writer
/// got in between (409 or 412), read again and decide again. The first retry is at once, as a lost race is usually
/// over by then; later ones wait a random pause that doubles from <see cref="FirstPause"/> up to <see cref="LongestPause"/>
/// (full jitter: writers that keep colliding on one hot row, such as a counter, spread out instead of colliding again).
/// Retries stop after <see cref="Budget"/>, half an HTTP request's deadline, and the conflict is thrown to the caller: a
/// row contended for that long is an outage, not a race.
/// </summary>
public static class ConflictRetry
{
    public static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="step"/> (read, decide, write) until it completes without a conflict.</summary>
    /// <param name="step">Gets the attempt's number, from 1.</param>
    /// <param name="alsoRetryNotFound">For steps whose conditional write also meets a row deleted since it was read (404).</param>
    /// <param name="onConflict">Told of each conflict that is retried (for the caller's debug log).</param>
    public static async Task<T> RunAsync<T>(
        Func<int, Task<T>> step,
        CancellationToken cancellationToken,
        bool alsoRetryNotFound = false,
        Action<RequestFailedException, int>? onConflict = null)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await step(attempt);
            }
            catch (RequestFailedException e) when (IsConflict(e, alsoRetryNotFound) && Stopwatch.GetElapsedTime(started) < Budget)
            {
                onConflict?.Invoke(e, attempt);
                if (attempt > 1)
                {
                    await Task.Delay(PauseBefore(attempt + 1), cancellationToken);
                }
            }
        }
    }

    /// <inheritdoc cref="RunAsync{T}(Func{int, Task{T}}, CancellationToken, bool, Action{RequestFailedException, int}?)"/>
    public static Task RunAsync(
        Func<int, Task> step,
        CancellationToken cancellationToken,
        bool alsoRetryNotFound = false,
        Action<RequestFailedException, int>? onConflict = null) =>
        RunAsync(
            async attempt =>
            {
                await step(attempt);
                return true;
            },
            cancellationToken,
            alsoRetryNotFound,
            onConflict);

    /// <summary>The random pause before attempt <paramref name="attempt"/> (3 and later; the second follows at once).</summary>
    public static TimeSpan PauseBefore(int attempt)
    {
        var ceiling = Math.Min(LongestPause.TotalMilliseconds, FirstPause.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 3, 10)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    private static bool IsConflict(RequestFailedException e, bool alsoRetryNotFound) =>
        e.Status is 409 or 412 || (alsoRetryNotFound && e.Status == 404);
}
