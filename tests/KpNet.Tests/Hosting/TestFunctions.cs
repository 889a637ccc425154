using System.Collections.Concurrent;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;

namespace KpNet.Tests.Hosting;

/// <summary>What test functions were given, and how many more calls should fail.</summary>
public sealed class Recorder
{
    private int _failuresLeft;

    public ConcurrentQueue<object> Inputs { get; } = new();

    public int Calls => Inputs.Count;

    public void FailNext(int count) => _failuresLeft = count;

    public void Record(object input)
    {
        Inputs.Enqueue(input);
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new InvalidOperationException("Failing as the test asked.");
        }
    }
}

public sealed class RecordingQueueFunction(Recorder recorder) : IQueueFunction
{
    public Task RunAsync(QueueTriggerInput message, CancellationToken cancellationToken)
    {
        recorder.Record(message);
        return Task.CompletedTask;
    }
}

public sealed class RecordingEventHubFunction(Recorder recorder) : IEventHubFunction
{
    public Task RunAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        recorder.Record(batch);
        return Task.CompletedTask;
    }
}

public sealed class RecordingTimerFunction(Recorder recorder) : ITimerFunction
{
    public Task RunAsync(TimerInput timer, CancellationToken cancellationToken)
    {
        recorder.Record(timer);
        return Task.CompletedTask;
    }
}

/// <summary>Records the message; one whose text is "slow" then works until the app stops.</summary>
public sealed class NeverEndingQueueFunction(Recorder recorder) : IQueueFunction
{
    public async Task RunAsync(QueueTriggerInput message, CancellationToken cancellationToken)
    {
        recorder.Record(message);
        if (message.Text == "slow")
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}

/// <summary>A handler whose dependencies cannot be built, like one needing a setting that is missing in Azure.</summary>
public sealed class UnbuildableQueueFunction : IQueueFunction
{
    public const string MissingSettingMessage = "Setting Test__Required is missing.";

    public UnbuildableQueueFunction() => throw new InvalidOperationException(MissingSettingMessage);

    public Task RunAsync(QueueTriggerInput message, CancellationToken cancellationToken) => Task.CompletedTask;
}
