using Azure;
using KpNet.Azure.Storage;

namespace KpNet.Tests.Storage;

/// <summary>The one policy of read–decide–write steps: a lost race is decided again, anything else is the caller's.</summary>
public sealed class ConflictRetryTests
{
    [Theory]
    [InlineData(409)]
    [InlineData(412)]
    public async Task A_step_that_loses_races_is_run_again_until_it_wins_and_each_lost_race_is_reported(int status)
    {
        var reported = new List<int>();

        var result = await ConflictRetry.RunAsync(
            attempt => attempt < 4 ? throw new RequestFailedException(status, "lost") : Task.FromResult(attempt),
            CancellationToken.None,
            onConflict: (_, attempt) => reported.Add(attempt));

        Assert.Equal(4, result);
        Assert.Equal([1, 2, 3], reported);
    }

    [Fact]
    public async Task A_row_deleted_since_it_was_read_is_a_lost_race_only_where_the_step_says_so()
    {
        var tries = 0;
        await Assert.ThrowsAsync<RequestFailedException>(() => ConflictRetry.RunAsync(_ => ++tries == 1 ? throw new RequestFailedException(404, "gone") : Task.CompletedTask, CancellationToken.None));
        Assert.Equal(1, tries);

        tries = 0;
        await ConflictRetry.RunAsync(_ => ++tries == 1 ? throw new RequestFailedException(404, "gone") : Task.CompletedTask, CancellationToken.None, alsoRetryNotFound: true);
        Assert.Equal(2, tries);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(503)]
    public async Task Other_failures_are_not_retried_by_the_policy(int status)
    {
        var tries = 0;

        var thrown = await Assert.ThrowsAsync<RequestFailedException>(() => ConflictRetry.RunAsync(_ => ++tries > 0 ? throw new RequestFailedException(status, "no") : Task.CompletedTask, CancellationToken.None));

        Assert.Equal((status, 1), (thrown.Status, tries));
    }

    [Fact]
    public async Task A_row_contended_for_longer_than_the_budget_gives_the_conflict_to_the_caller()
    {
        var tries = 0;

        var thrown = await Assert.ThrowsAsync<RequestFailedException>(() => ConflictRetry.RunAsync(_ => ++tries > 0 ? throw new RequestFailedException(412, "always lost") : Task.CompletedTask, CancellationToken.None));

        Assert.Equal(412, thrown.Status);
        Assert.InRange(tries, 10, int.MaxValue);
    }

    [Fact]
    public void Pauses_grow_from_nothing_to_the_longest_pause_and_never_beyond()
    {
        var pauses = Enumerable.Range(3, 30).SelectMany(attempt => Enumerable.Range(0, 50).Select(_ => ConflictRetry.PauseBefore(attempt))).ToList();

        Assert.All(pauses, pause => Assert.InRange(pause, TimeSpan.Zero, ConflictRetry.LongestPause));
        Assert.All(Enumerable.Range(0, 50).Select(_ => ConflictRetry.PauseBefore(3)), pause => Assert.InRange(pause, TimeSpan.Zero, ConflictRetry.FirstPause));
    }
}
