using KpNet.Hosting.Invocation;

namespace KpNet.Hosting.Functions;

public interface IQueueFunction
{
    Task RunAsync(QueueTriggerInput message, CancellationToken cancellationToken);
}

public interface IEventHubFunction
{
    Task RunAsync(EventBatch batch, CancellationToken cancellationToken);
}

public interface ITimerFunction
{
    Task RunAsync(TimerInput timer, CancellationToken cancellationToken);
}
