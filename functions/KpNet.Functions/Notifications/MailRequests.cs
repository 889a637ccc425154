using System.Text.Json;
using System.Text.Json.Serialization;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using KpNet.Http;
using KpNet.Security;

namespace KpNet.Notifications;

/// <summary>An anonymous request that may end in a mail, as it was made (<see cref="Details"/>: what was entered).</summary>
public sealed record MailRequest(MailRequestKind Kind, JsonElement Details)
{
    public TDetails Read<TDetails>() => Details.Deserialize<TDetails>(MailRequests.Json) ?? throw new FormatException($"A {Kind} request without its details.");
}

/// <summary>Decides, in the queue's function, whether a <see cref="MailRequest"/> of its kind mails anyone, and sends it.</summary>
public interface IMailRequestHandler
{
    MailRequestKind Kind { get; }

    Task HandleAsync(MailRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Mail requests are queued, not handled, while their caller waits: whether anyone is mailed depends on who is registered,
/// so the request itself does the same work for every address (its client's limit, one message) and its answer, and the
/// time it takes, tell nothing about accounts. <see cref="HandleMailRequestFunction"/> looks the address up later.
/// </summary>
public sealed class MailRequests(StorageAccount storage, MailRequestLimits limits)
{
    public const string QueueName = "mail-requests";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The request-time work of a mail request: the client's limit (429 beyond it), then the request queued.</summary>
    /// <returns>The refusal, or null once the request is queued.</returns>
    public async Task<IResult?> RefuseOrQueueAsync<TDetails>(HttpContext context, MailRequestKind kind, TDetails details, CancellationToken cancellationToken)
    {
        if (await RefusalAsync(context, kind, cancellationToken) is { } refused)
        {
            return refused;
        }

        await QueueAsync(kind, details, cancellationToken);
        return null;
    }

    /// <summary>Counts the request against its client's limit.</summary>
    /// <returns>429 with Retry-After when the client is over it; else null.</returns>
    public async Task<IResult?> RefusalAsync(HttpContext context, MailRequestKind kind, CancellationToken cancellationToken) =>
        await limits.ClientRefusalAsync(kind, ClientAddress.Of(context), cancellationToken) is { } wait ? Problems.TooManyAttempts(context, wait) : null;

    public async Task QueueAsync<TDetails>(MailRequestKind kind, TDetails details, CancellationToken cancellationToken)
    {
        var request = new MailRequest(kind, JsonSerializer.SerializeToElement(details, Json));
        await storage.GetQueueClient(QueueName).SendMessageAsync(JsonSerializer.Serialize(request, Json), cancellationToken: cancellationToken);
    }
}

/// <summary>Hands each queued <see cref="MailRequest"/> to the handler of its kind.</summary>
public sealed class HandleMailRequestFunction(IEnumerable<IMailRequestHandler> handlers) : IQueueFunction
{
    public const string Name = "HandleMailRequest";

    public async Task RunAsync(QueueTriggerInput message, CancellationToken cancellationToken)
    {
        var request = JsonSerializer.Deserialize<MailRequest>(message.Text, MailRequests.Json)
            ?? throw new FormatException($"Message {message.MessageId} is not a mail request.");
        var handler = handlers.SingleOrDefault(h => h.Kind == request.Kind)
            ?? throw new InvalidOperationException($"No handler for {request.Kind} mail requests.");
        await handler.HandleAsync(request, cancellationToken);
    }
}
