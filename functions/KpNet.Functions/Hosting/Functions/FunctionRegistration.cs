using System.Text.RegularExpressions;

namespace KpNet.Hosting.Functions;

/// <summary>The one place non-HTTP functions are declared; function.json files and local triggers are derived from these.</summary>
public static partial class FunctionRegistration
{
    public static IServiceCollection AddQueueFunction<THandler>(this IServiceCollection services, string name, string queueName)
        where THandler : class, IQueueFunction
        => services.AddFunction<THandler>(new FunctionDefinition(name, new QueueTrigger(queueName), typeof(THandler)));

    /// <param name="consumerGroup">A group of the function's own, so other readers (Capture, tools) never move its checkpoints.</param>
    public static IServiceCollection AddEventHubFunction<THandler>(
        this IServiceCollection services, string name, string eventHubName, string connection, RetryPolicy retry, string consumerGroup = "$Default")
        where THandler : class, IEventHubFunction
        => services.AddFunction<THandler>(new FunctionDefinition(name, new EventHubTrigger(eventHubName, connection, consumerGroup), typeof(THandler), retry));

    public static IServiceCollection AddTimerFunction<THandler>(this IServiceCollection services, string name, string schedule)
        where THandler : class, ITimerFunction
        => services.AddFunction<THandler>(new FunctionDefinition(name, new TimerTrigger(schedule), typeof(THandler)));

    private static IServiceCollection AddFunction<THandler>(this IServiceCollection services, FunctionDefinition definition)
        where THandler : class
    {
        EnsureValidName(definition.Name);
        if (definition.Trigger is QueueTrigger queue && queue.QueueName.Length > 56)
        {
            // The host appends "-poison" and queue names stop at 63 characters.
            throw new ArgumentException($"Queue name '{queue.QueueName}' is longer than 56 characters.", nameof(definition));
        }

        services.AddSingleton(definition);
        services.AddScoped<THandler>();
        return services;
    }

    internal static void EnsureValidName(string name)
    {
        if (!FunctionName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid Azure Functions name (a letter, then letters, digits, '_' or '-', at most 127).", nameof(name));
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,126}$")]
    private static partial Regex FunctionName();
}
