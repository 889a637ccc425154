namespace KpNet.Hosting.Functions;

/// <summary>A non-HTTP function: its name (the folder the host posts invocations to), trigger and handler type.</summary>
public sealed record FunctionDefinition(string Name, FunctionTrigger Trigger, Type HandlerType, RetryPolicy? Retry = null);

public abstract record FunctionTrigger
{
    /// <summary>The binding name the trigger value arrives under in the invocation's <c>Data</c>.</summary>
    public abstract string BindingName { get; }
}

public sealed record QueueTrigger(string QueueName, string Connection = QueueTrigger.DefaultConnection) : FunctionTrigger
{
    public const string DefaultConnection = "AzureWebJobsStorage";
    public override string BindingName => "message";
}

/// <summary>Event Hubs trigger with cardinality many: the handler always receives a batch.</summary>
public sealed record EventHubTrigger(string EventHubName, string Connection, string ConsumerGroup = "$Default") : FunctionTrigger
{
    public override string BindingName => "events";
}

/// <summary>NCRONTAB schedule with six fields (seconds first, read in UTC, see <see cref="TimerSchedule"/>), or a <c>%Setting%</c> naming one.</summary>
public sealed record TimerTrigger(string Schedule, bool RunOnStartup = false) : FunctionTrigger
{
    public override string BindingName => "timer";

    /// <summary>The app setting holding the schedule when it is written <c>%Setting%</c>, else null.</summary>
    public string? ScheduleSetting => Schedule.Length > 2 && Schedule[0] == '%' && Schedule[^1] == '%' ? Schedule[1..^1] : null;
}

/// <summary>The host's function-level retry policy (exponential back-off).</summary>
/// <param name="MaxRetryCount">Retries after the first try; <see cref="UntilSucceeded"/> (-1, which the host accepts) retries for as long as it fails.</param>
public sealed record RetryPolicy(int MaxRetryCount, TimeSpan MinimumInterval, TimeSpan MaximumInterval)
{
    public const int UntilSucceeded = -1;

    public int MaxRetryCount { get; } = MaxRetryCount >= UntilSucceeded
        ? MaxRetryCount
        : throw new ArgumentOutOfRangeException(nameof(MaxRetryCount), MaxRetryCount, "The host accepts -1 (until it succeeds) or a count of retries.");

    public bool AllowsRetry(int retryNumber) => MaxRetryCount == UntilSucceeded || retryNumber <= MaxRetryCount;

    public TimeSpan DelayBeforeRetry(int retryNumber)
    {
        // Retries without end would overflow the doubling; past the maximum the delay stays there anyway.
        var doublings = Math.Clamp(retryNumber - 1, 0, 30);
        var delay = MinimumInterval.TotalSeconds * Math.Pow(2, doublings);
        return delay < MaximumInterval.TotalSeconds ? TimeSpan.FromSeconds(delay) : MaximumInterval;
    }
}
