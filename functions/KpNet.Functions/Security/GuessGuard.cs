namespace KpNet.Security;

/// <summary>
/// The limits on guessing one account's secret (a login password, a gateway's password), checked in this order:
/// <see cref="PerClient"/> (one client's failures on any account), <see cref="PerAccountClient"/> (one client's failures on
/// this account) and <see cref="PerAccount"/> (everybody's failures on this account: a budget of guesses per window).
/// The first two answer the guessing client 429; a spent budget stops only clients that have not proved the secret before,
/// so strangers guessing from many addresses cannot lock the owner out, and together they get at most the budget.
/// </summary>
public sealed record GuessLimits(string Scope, ThrottleRule PerClient, ThrottleRule PerAccountClient, ThrottleRule PerAccount)
{
    /// <summary>How long a client that proved the secret keeps passing a spent budget (renewed by each success).</summary>
    public static readonly TimeSpan KnownClientLifetime = TimeSpan.FromDays(90);

    public static GuessLimits For(string scope, int perClient, int perAccountPerHour) => new(
        scope,
        new ThrottleRule(scope + "-client", perClient, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15)),
        new ThrottleRule(scope + "-pair", 5, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15)),
        new ThrottleRule(scope, perAccountPerHour, TimeSpan.FromHours(1), TimeSpan.FromHours(1)));
}

/// <summary>Applies <see cref="GuessLimits"/> around one check of a secret: ask first, then report the outcome.</summary>
public sealed class GuessGuard(Throttle throttle)
{
    /// <returns>Null when the secret may be checked; else how long the client must wait.</returns>
    public async Task<TimeSpan?> RefusalAsync(GuessLimits limits, string account, string client, CancellationToken cancellationToken)
    {
        var clientWait = Longest(
            await throttle.CheckAsync(limits.PerClient, client, cancellationToken),
            await throttle.CheckAsync(limits.PerAccountClient, Pair(account, client), cancellationToken));
        if (clientWait is not null)
        {
            return clientWait;
        }

        var budget = await throttle.CheckAsync(limits.PerAccount, account, cancellationToken);
        return budget.Allowed || await IsKnownAsync(limits, account, client, cancellationToken) ? null : budget.RetryAfter;
    }

    /// <returns>Null when the client may try again at once; else how long it must wait.</returns>
    public async Task<TimeSpan?> FailedAsync(GuessLimits limits, string account, string client, CancellationToken cancellationToken)
    {
        var clientWait = Longest(
            await throttle.RecordFailureAsync(limits.PerClient, client, cancellationToken),
            await throttle.RecordFailureAsync(limits.PerAccountClient, Pair(account, client), cancellationToken));
        var budget = await throttle.RecordFailureAsync(limits.PerAccount, account, cancellationToken);
        return clientWait ?? (budget.Allowed || await IsKnownAsync(limits, account, client, cancellationToken) ? null : budget.RetryAfter);
    }

    /// <summary>
    /// The client proved the secret: its own failures on the account are forgiven and it passes a spent budget from now on.
    /// The budget itself stays spent: a gateway polling its settings must not hand guessers a fresh budget on every poll.
    /// </summary>
    public async Task SucceededAsync(GuessLimits limits, string account, string client, CancellationToken cancellationToken)
    {
        await throttle.ResetAsync(limits.PerAccountClient, Pair(account, client), cancellationToken);
        await throttle.RememberAsync(KnownScope(limits), Pair(account, client), GuessLimits.KnownClientLifetime, cancellationToken);
    }

    /// <summary>The owner proved itself another way (a password reset by mail): the account's budget starts again.</summary>
    public Task ResetBudgetAsync(GuessLimits limits, string account, CancellationToken cancellationToken) =>
        throttle.ResetAsync(limits.PerAccount, account, cancellationToken);

    private Task<bool> IsKnownAsync(GuessLimits limits, string account, string client, CancellationToken cancellationToken) =>
        throttle.RemembersAsync(KnownScope(limits), Pair(account, client), cancellationToken);

    private static string KnownScope(GuessLimits limits) => limits.Scope + "-known";

    private static string Pair(string account, string client) => account + "|" + client;

    private static TimeSpan? Longest(ThrottleDecision first, ThrottleDecision second) =>
        first.Allowed && second.Allowed ? null : first.RetryAfter > second.RetryAfter ? first.RetryAfter : second.RetryAfter;
}
