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

/// <summary>NCRONTAB schedule with six fields (seconds first), or a <c>%Setting%</c> naming one.</summary>
public sealed record TimerTrigger(string Schedule, bool RunOnStartup = false) : FunctionTrigger
{
    public override string BindingName => "timer";
}

/// <summary>The host's function-level retry policy (exponential back-off).</summary>
public sealed record RetryPolicy(int MaxRetryCount, TimeSpan MinimumInterval, TimeSpan MaximumInterval)
{
    public TimeSpan DelayBeforeRetry(int retryNumber)
    {
        var delay = MinimumInterval * Math.Pow(2, Math.Max(0, retryNumber - 1));
        return delay < MaximumInterval ? delay : MaximumInterval;
    }
}
