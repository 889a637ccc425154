using System.Globalization;
using System.Text.Json;
using NCrontab;

namespace KpNet.Hosting.Functions;

/// <summary>Writes one &lt;FunctionName&gt;/function.json per function, the way the worker SDK generates its metadata.</summary>
public static class FunctionMetadataWriter
{
    public static IReadOnlyList<string> Write(FunctionCatalog catalog, string appRoot)
    {
        var written = new List<string>();
        foreach (var function in catalog.HttpFunctions())
        {
            written.Add(WriteFunction(appRoot, function.Name, writer => WriteHttpBindings(writer, function), retry: null));
        }

        foreach (var function in catalog.TriggerFunctions)
        {
            EnsureHostCanReadSchedule(function);
            written.Add(WriteFunction(appRoot, function.Name, writer => WriteTriggerBinding(writer, function.Trigger), function.Retry));
        }

        return written;
    }

    // The host would not load a timer function whose schedule it cannot parse. A %Setting% is resolved where the app runs.
    private static void EnsureHostCanReadSchedule(FunctionDefinition function)
    {
        if (function.Trigger is not TimerTrigger { ScheduleSetting: null } timer)
        {
            return;
        }

        try
        {
            TimerSchedule.Parse(timer.Schedule);
        }
        catch (CrontabException e)
        {
            throw new InvalidOperationException($"Timer function '{function.Name}' has the schedule '{timer.Schedule}', which is no six-field NCRONTAB schedule: {e.Message}", e);
        }
    }

    private static string WriteFunction(string appRoot, string name, Action<Utf8JsonWriter> writeBindings, RetryPolicy? retry)
    {
        var folder = Path.Combine(appRoot, name);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "function.json");
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartArray("bindings");
        writeBindings(writer);
        writer.WriteEndArray();
        if (retry is not null)
        {
            writer.WriteStartObject("retry");
            writer.WriteString("strategy", "exponentialBackoff");
            writer.WriteNumber("maxRetryCount", retry.MaxRetryCount);
            writer.WriteString("minimumInterval", retry.MinimumInterval.ToString("c", CultureInfo.InvariantCulture));
            writer.WriteString("maximumInterval", retry.MaximumInterval.ToString("c", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        return path;
    }

    private static void WriteHttpBindings(Utf8JsonWriter writer, HttpFunction function)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "httpTrigger");
        writer.WriteString("direction", "in");
        writer.WriteString("name", "req");
        // The app authenticates its own callers (sessions, SAS); function keys would only get in the way of the portal.
        writer.WriteString("authLevel", "anonymous");
        writer.WriteStartArray("methods");
        foreach (var method in function.Methods)
        {
            writer.WriteStringValue(method);
        }

        writer.WriteEndArray();
        writer.WriteString("route", function.Route);
        writer.WriteEndObject();

        writer.WriteStartObject();
        writer.WriteString("type", "http");
        writer.WriteString("direction", "out");
        writer.WriteString("name", "res");
        writer.WriteEndObject();
    }

    private static void WriteTriggerBinding(Utf8JsonWriter writer, FunctionTrigger trigger)
    {
        writer.WriteStartObject();
        writer.WriteString("direction", "in");
        writer.WriteString("name", trigger.BindingName);
        switch (trigger)
        {
            case QueueTrigger queue:
                writer.WriteString("type", "queueTrigger");
                writer.WriteString("queueName", queue.QueueName);
                writer.WriteString("connection", queue.Connection);
                break;
            case EventHubTrigger eventHub:
                writer.WriteString("type", "eventHubTrigger");
                writer.WriteString("eventHubName", eventHub.EventHubName);
                writer.WriteString("consumerGroup", eventHub.ConsumerGroup);
                writer.WriteString("connection", eventHub.Connection);
                writer.WriteString("cardinality", "many");
                writer.WriteString("dataType", "string");
                break;
            case TimerTrigger timer:
                writer.WriteString("type", "timerTrigger");
                writer.WriteString("schedule", timer.Schedule);
                writer.WriteBoolean("runOnStartup", timer.RunOnStartup);
                break;
            default:
                throw new InvalidOperationException($"Unknown trigger {trigger.GetType().Name}.");
        }

        writer.WriteEndObject();
    }
}
