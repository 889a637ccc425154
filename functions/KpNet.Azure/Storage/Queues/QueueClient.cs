using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KpNet.Azure.Storage.Queues;

/// <summary>
/// One queue over the Queue service REST API, shaped like <c>Azure.Storage.Queues.QueueClient</c>.
/// Text is sent as Base64(UTF-8), the Azure Functions queue trigger's default encoding.
/// </summary>
public partial class QueueClient
{
    /// <summary>The service limit on the stored (base64) message text.</summary>
    public const int MaxMessageTextLength = 64 * 1024;

    private const int MaxMessagesPerCall = 32;
    private static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    private readonly HttpPipeline _pipeline = null!;
    private readonly string _queueUrl = null!;
    private readonly string _version = null!;

    /// <param name="connectionString">See <see cref="StorageConnectionString"/>.</param>
    public QueueClient(string connectionString, string queueName, QueueClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), queueName, options ?? new QueueClientOptions())
    {
    }

    /// <param name="queueUri">E.g. <c>https://{account}.queue.core.windows.net/{queue}</c>.</param>
    /// <param name="credential">A Microsoft Entra credential (managed identity in Azure).</param>
    public QueueClient(Uri queueUri, TokenCredential credential, QueueClientOptions? options = null)
        : this(queueUri, StoragePipeline.BearerToken(credential), options ?? new QueueClientOptions())
    {
    }

    protected QueueClient()
    {
        Name = string.Empty;
    }

    private QueueClient(StorageConnectionString connection, string queueName, QueueClientOptions options)
        : this(new Uri(connection.QueueEndpoint.AbsoluteUri.TrimEnd('/') + "/" + queueName), new QueueSharedKeyPolicy(connection.Credential), options)
    {
    }

    private QueueClient(Uri queueUri, HttpPipelinePolicy authentication, QueueClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(queueUri);
        _queueUrl = queueUri.AbsoluteUri.TrimEnd('/');
        Name = _queueUrl[(_queueUrl.LastIndexOf('/') + 1)..];
        ValidateQueueName(Name);
        _version = options.VersionString;
        _pipeline = StoragePipeline.Build(options, authentication);
    }

    public virtual string Name { get; }

    /// <summary>Creates the queue; an existing queue is not an error.</summary>
    public virtual async Task<Response> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(RequestMethod.Put, string.Empty);
        var response = await SendAsync(request, cancellationToken);
        return response.Status is 201 or 204 or 409 ? response : throw Failure(response);
    }

    /// <returns><c>true</c> when the queue existed and was deleted.</returns>
    public virtual async Task<Response<bool>> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(RequestMethod.Delete, string.Empty);
        var response = await SendAsync(request, cancellationToken);
        return response.Status switch
        {
            204 => Response.FromValue(true, response),
            404 => Response.FromValue(false, response),
            _ => throw Failure(response),
        };
    }

    public virtual async Task<Response<QueueProperties>> GetPropertiesAsync(CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(RequestMethod.Get, "?comp=metadata");
        var response = await SendAsync(request, cancellationToken);
        if (response.Status != 200)
        {
            throw Failure(response);
        }

        response.Headers.TryGetValue("x-ms-approximate-messages-count", out var count);
        var metadata = response.Headers
            .Where(h => h.Name.StartsWith("x-ms-meta-", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Name["x-ms-meta-".Length..], h => h.Value, StringComparer.OrdinalIgnoreCase);
        return Response.FromValue(new QueueProperties(int.Parse(count ?? "0", CultureInfo.InvariantCulture), metadata), response);
    }

    /// <summary>Sends Base64(UTF-8(<paramref name="messageText"/>)), which the Functions queue trigger expects.</summary>
    /// <param name="visibilityTimeout">Delay before the message becomes visible (0 to 7 days).</param>
    /// <param name="timeToLive">Default 7 days; <see cref="Timeout.InfiniteTimeSpan"/> = never expires.</param>
    /// <exception cref="RequestFailedException">413 <c>RequestBodyTooLarge</c> when the encoded text exceeds 64 KiB (about 48 KiB of UTF-8).</exception>
    public virtual Task<Response<SendReceipt>> SendMessageAsync(
        string messageText, TimeSpan? visibilityTimeout = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        return SendRawMessageAsync(QueueMessageEncoding.Encode(messageText), visibilityTimeout, timeToLive, cancellationToken);
    }

    /// <summary>Sends the bytes as base64.</summary>
    public virtual Task<Response<SendReceipt>> SendMessageAsync(
        BinaryData message, TimeSpan? visibilityTimeout = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendRawMessageAsync(Convert.ToBase64String(message.ToMemory().Span), visibilityTimeout, timeToLive, cancellationToken);
    }

    /// <param name="maxMessages">1 to 32; default 1.</param>
    /// <param name="visibilityTimeout">How long the messages stay invisible; default 30 s.</param>
    public virtual async Task<Response<IReadOnlyList<QueueMessage>>> ReceiveMessagesAsync(
        int? maxMessages = null, TimeSpan? visibilityTimeout = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string> { "numofmessages=" + Count(maxMessages) };
        if (visibilityTimeout is { } timeout)
        {
            query.Add("visibilitytimeout=" + Seconds(timeout, nameof(visibilityTimeout), TimeSpan.FromSeconds(1)));
        }

        using var request = CreateRequest(RequestMethod.Get, "/messages?" + string.Join('&', query));
        var response = await SendAsync(request, cancellationToken);
        if (response.Status != 200)
        {
            throw Failure(response);
        }

        var messages = MessageElements(response).Select(m => new QueueMessage(
            Text(m, "MessageId"),
            Text(m, "PopReceipt"),
            Text(m, "MessageText"),
            long.Parse(Text(m, "DequeueCount"), CultureInfo.InvariantCulture),
            Date(m, "InsertionTime"),
            Date(m, "ExpirationTime"),
            Date(m, "TimeNextVisible"))).ToList();
        return Response.FromValue<IReadOnlyList<QueueMessage>>(messages, response);
    }

    /// <param name="maxMessages">1 to 32; default 1.</param>
    public virtual async Task<Response<IReadOnlyList<PeekedMessage>>> PeekMessagesAsync(
        int? maxMessages = null, CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(RequestMethod.Get, "/messages?peekonly=true&numofmessages=" + Count(maxMessages));
        var response = await SendAsync(request, cancellationToken);
        if (response.Status != 200)
        {
            throw Failure(response);
        }

        var messages = MessageElements(response).Select(m => new PeekedMessage(
            Text(m, "MessageId"),
            Text(m, "MessageText"),
            long.Parse(Text(m, "DequeueCount"), CultureInfo.InvariantCulture),
            Date(m, "InsertionTime"),
            Date(m, "ExpirationTime"))).ToList();
        return Response.FromValue<IReadOnlyList<PeekedMessage>>(messages, response);
    }

    /// <exception cref="RequestFailedException">400 <c>PopReceiptMismatch</c> (Azurite) or 404 (Azure) for a stale receipt.</exception>
    public virtual async Task<Response> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(RequestMethod.Delete, MessagePath(messageId, popReceipt));
        var response = await SendAsync(request, cancellationToken);
        return response.Status == 204 ? response : throw Failure(response);
    }

    /// <summary>
    /// Changes the visibility (and, when <paramref name="messageText"/> is given, the text, base64-encoded).
    /// The old pop receipt stops working; use the returned one.
    /// </summary>
    public virtual async Task<Response<UpdateReceipt>> UpdateMessageAsync(
        string messageId, string popReceipt, string? messageText = null, TimeSpan visibilityTimeout = default, CancellationToken cancellationToken = default)
    {
        var path = MessagePath(messageId, popReceipt) + "&visibilitytimeout=" + Seconds(visibilityTimeout, nameof(visibilityTimeout), TimeSpan.Zero);
        using var request = CreateRequest(RequestMethod.Put, path);
        if (messageText is not null)
        {
            SetMessageBody(request, QueueMessageEncoding.Encode(messageText));
        }

        var response = await SendAsync(request, cancellationToken);
        if (response.Status != 204)
        {
            throw Failure(response);
        }

        response.Headers.TryGetValue("x-ms-popreceipt", out var newReceipt);
        response.Headers.TryGetValue("x-ms-time-next-visible", out var nextVisible);
        return Response.FromValue(
            new UpdateReceipt(newReceipt ?? string.Empty, DateTimeOffset.Parse(nextVisible ?? string.Empty, CultureInfo.InvariantCulture)),
            response);
    }

    /// <summary>Stores <paramref name="storedText"/> unchanged (no base64), e.g. to simulate a foreign producer.</summary>
    internal async Task<Response<SendReceipt>> SendRawMessageAsync(
        string storedText, TimeSpan? visibilityTimeout, TimeSpan? timeToLive, CancellationToken cancellationToken)
    {
        if (storedText.Length > MaxMessageTextLength)
        {
            throw new RequestFailedException(
                413,
                $"The message text is {storedText.Length} characters after base64 encoding; the limit is {MaxMessageTextLength} (checked by the client before sending).",
                "RequestBodyTooLarge",
                null);
        }

        var query = new List<string>();
        if (visibilityTimeout is { } delay)
        {
            query.Add("visibilitytimeout=" + Seconds(delay, nameof(visibilityTimeout), TimeSpan.Zero));
        }

        if (timeToLive is { } ttl)
        {
            query.Add("messagettl=" + (ttl == Timeout.InfiniteTimeSpan ? "-1" : ((long)ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
        }

        using var request = CreateRequest(RequestMethod.Post, "/messages" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty));
        SetMessageBody(request, storedText);
        var response = await SendAsync(request, cancellationToken);
        if (response.Status != 201)
        {
            throw Failure(response);
        }

        var m = MessageElements(response).Single();
        return Response.FromValue(
            new SendReceipt(Text(m, "MessageId"), Text(m, "PopReceipt"), Date(m, "InsertionTime"), Date(m, "ExpirationTime"), Date(m, "TimeNextVisible")),
            response);
    }

    private static void ValidateQueueName(string queueName)
    {
        if (!QueueNamePattern().IsMatch(queueName) || queueName.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Queue name '{queueName}' is invalid: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.",
                nameof(queueName));
        }
    }

    private static string Count(int? maxMessages) => maxMessages switch
    {
        null => "1",
        >= 1 and <= MaxMessagesPerCall => maxMessages.Value.ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, $"Between 1 and {MaxMessagesPerCall} messages per call."),
    };

    private static string Seconds(TimeSpan value, string name, TimeSpan minimum) =>
        value >= minimum && value <= MaxVisibilityTimeout
            ? ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture)
            : throw new ArgumentOutOfRangeException(name, value, $"Between {minimum} and {MaxVisibilityTimeout}.");

    private static string MessagePath(string messageId, string popReceipt)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        return $"/messages/{Uri.EscapeDataString(messageId)}?popreceipt={Uri.EscapeDataString(popReceipt)}";
    }

    private static void SetMessageBody(Request request, string storedText)
    {
        var xml = new XElement("QueueMessage", new XElement("MessageText", storedText)).ToString(SaveOptions.DisableFormatting);
        request.Headers.Add(HttpHeader.Names.ContentType, "application/xml");
        request.Content = RequestContent.Create(System.Text.Encoding.UTF8.GetBytes(xml));
    }

    private static IEnumerable<XElement> MessageElements(Response response) =>
        XDocument.Parse(response.Content.ToString()).Root?.Elements("QueueMessage") ?? [];

    private static string Text(XElement message, string name) =>
        message.Element(name)?.Value ?? throw new FormatException($"The queue service answer has no {name}.");

    private static DateTimeOffset Date(XElement message, string name) =>
        DateTimeOffset.Parse(Text(message, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static RequestFailedException Failure(Response response) => new(response, null, QueueErrorParser.Instance);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueNamePattern();

    private Request CreateRequest(RequestMethod method, string pathAndQuery)
    {
        var request = _pipeline.CreateRequest();
        request.Method = method;
        request.Uri.Reset(new Uri(_queueUrl + pathAndQuery));
        request.Headers.Add("x-ms-version", _version);
        return request;
    }

    private async Task<Response> SendAsync(Request request, CancellationToken cancellationToken) =>
        await _pipeline.SendRequestAsync(request, cancellationToken);
}
