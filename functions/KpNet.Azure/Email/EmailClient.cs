using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KpNet.Azure.Email;

/// <summary>
/// Sends email with the Azure Communication Services Email REST API, shaped like
/// <c>Azure.Communication.Email.EmailClient</c>. Retries (429 with Retry-After, 5xx) come from the
/// Azure.Core pipeline; the operation id is fixed before the first attempt, so every retry carries it.
/// </summary>
public class EmailClient
{
    /// <summary>The Entra scope the official SDK requests (the double slash is deliberate).</summary>
    public const string TokenScope = "https://communication.azure.com//.default";

    /// <summary>ACS accepts at most this many recipients (To + CC + BCC) per email.</summary>
    public const int MaxRecipients = 50;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keeps Japanese text as UTF-8 (3 bytes) instead of \uXXXX (6 bytes); HTML-sensitive characters are still escaped.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    private readonly HttpPipeline _pipeline = null!;
    private readonly string _endpoint = null!;
    private readonly string _version = null!;
    private readonly int _maxRequestBytes;

    /// <param name="connectionString"><c>endpoint=https://{resource}.communication.azure.com/;accesskey={base64}</c>.</param>
    /// <exception cref="FormatException">The string is malformed, lacks the endpoint or key, or the key is not base64. The key is never echoed.</exception>
    public EmailClient(string connectionString, EmailClientOptions? options = null)
        : this(EmailConnectionString.Parse(connectionString), options ?? new EmailClientOptions())
    {
    }

    /// <param name="endpoint">E.g. <c>https://{resource}.communication.azure.com</c>.</param>
    /// <param name="credential">The resource's access key (base64), for key rotation without rebuilding the client.</param>
    public EmailClient(Uri endpoint, AzureKeyCredential credential, EmailClientOptions? options = null)
        : this(ValidEndpoint(endpoint), CreateHmacPolicy(credential), options ?? new EmailClientOptions())
    {
    }

    /// <param name="endpoint">E.g. <c>https://{resource}.communication.azure.com</c> (https is required for bearer tokens).</param>
    /// <param name="credential">A Microsoft Entra credential (managed identity in Azure); the identity needs a role on the ACS resource.</param>
    public EmailClient(Uri endpoint, TokenCredential credential, EmailClientOptions? options = null)
        : this(ValidEndpoint(endpoint), new BearerTokenAuthenticationPolicy(credential ?? throw new ArgumentNullException(nameof(credential)), TokenScope), options ?? new EmailClientOptions())
    {
    }

    /// <summary>For mocking.</summary>
    protected EmailClient()
    {
    }

    private EmailClient(EmailConnectionString connection, EmailClientOptions options)
        : this(connection.Endpoint, new HmacAuthenticationPolicy(connection.AccessKey), options)
    {
    }

    internal EmailClient(Uri endpoint, HttpPipelinePolicy authentication, EmailClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _endpoint = endpoint.AbsoluteUri.TrimEnd('/');
        _version = options.VersionString;
        _maxRequestBytes = options.MaxRequestBytes;

        // Mail bodies hold personal data: never log content, whatever the caller configured.
        options.Diagnostics.IsLoggingContentEnabled = false;
        _pipeline = HttpPipelineBuilder.Build(options, perRetryPolicies: [authentication]);
    }

    /// <summary>
    /// Queues the message for sending (<c>POST /emails:send</c>) and returns the service's 202 answer,
    /// normally <c>Running</c>. Does not poll: status polls count against ACS limits; use Event Grid instead.
    /// </summary>
    /// <param name="operationId">
    /// A UUID sent as <c>Operation-Id</c>. Pass one derived from the work item (e.g. the queue message id)
    /// so a redelivered message sends with the same id; when null a new one is generated. Every retry reuses it.
    /// </param>
    /// <exception cref="ArgumentException">The message breaks an ACS rule (checked before anything is sent).</exception>
    /// <exception cref="RequestFailedException">The service answered anything but 202 (after retries for 429/5xx).</exception>
    public virtual async Task<Response<EmailSendResult>> SendAsync(EmailMessage message, string? operationId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var id = NormalizeOperationId(operationId);
        Validate(message);
        var body = WriteMessage(message);
        if (body.Length > _maxRequestBytes)
        {
            throw new ArgumentException($"The email request is {body.Length} bytes; ACS accepts at most {_maxRequestBytes} (10 MB including attachments).", nameof(message));
        }

        using var httpMessage = _pipeline.CreateMessage();
        httpMessage.ResponseClassifier = new StatusCodeClassifier([202]);
        var request = httpMessage.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(new Uri($"{_endpoint}/emails:send?api-version={_version}"));
        request.Headers.SetValue("Operation-Id", id);
        request.Headers.SetValue(HttpHeader.Names.ContentType, "application/json");
        request.Headers.SetValue(HttpHeader.Names.Accept, "application/json");
        request.Content = RequestContent.Create(body);

        await _pipeline.SendAsync(httpMessage, cancellationToken).ConfigureAwait(false);
        var response = httpMessage.Response;
        if (response.Status != 202)
        {
            throw new RequestFailedException(response);
        }

        return Response.FromValue(ReadResult(response, id), response);
    }

    /// <summary>
    /// Reads an operation's status (<c>GET /emails/operations/{id}</c>). Polls count against ACS limits
    /// (60/min, 200/hour by default): use sparingly, never in the send path.
    /// </summary>
    public virtual async Task<Response<EmailSendResult>> GetStatusAsync(string operationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationId);
        using var httpMessage = _pipeline.CreateMessage();
        httpMessage.ResponseClassifier = new StatusCodeClassifier([200]);
        var request = httpMessage.Request;
        request.Method = RequestMethod.Get;
        request.Uri.Reset(new Uri($"{_endpoint}/emails/operations/{Uri.EscapeDataString(operationId)}?api-version={_version}"));
        request.Headers.SetValue(HttpHeader.Names.Accept, "application/json");

        await _pipeline.SendAsync(httpMessage, cancellationToken).ConfigureAwait(false);
        var response = httpMessage.Response;
        if (response.Status != 200)
        {
            throw new RequestFailedException(response);
        }

        return Response.FromValue(ReadResult(response, operationId), response);
    }

    /// <summary>The ACS rules a message must meet; throws <see cref="ArgumentException"/> naming the first one broken.</summary>
    internal static void Validate(EmailMessage message)
    {
        if (string.IsNullOrWhiteSpace(message.SenderAddress))
        {
            throw new ArgumentException("The email needs a sender address (from a domain verified for the ACS resource).", nameof(message));
        }

        var recipients = message.Recipients;
        if (recipients.To.Count == 0)
        {
            throw new ArgumentException("The email needs at least one 'to' recipient.", nameof(message));
        }

        if (recipients.Count > MaxRecipients)
        {
            throw new ArgumentException($"The email has {recipients.Count} recipients (to + cc + bcc); ACS accepts at most {MaxRecipients}. Split it.", nameof(message));
        }

        foreach (var address in recipients.To.Concat(recipients.CC).Concat(recipients.BCC).Concat(message.ReplyTo))
        {
            if (address is null || string.IsNullOrWhiteSpace(address.Address))
            {
                throw new ArgumentException("Every recipient and reply-to entry needs an address.", nameof(message));
            }
        }

        if (string.IsNullOrWhiteSpace(message.Content.Subject))
        {
            throw new ArgumentException("The email needs a subject.", nameof(message));
        }

        if (string.IsNullOrEmpty(message.Content.PlainText) && string.IsNullOrEmpty(message.Content.Html))
        {
            throw new ArgumentException("The email needs a plain-text or an HTML body (or both).", nameof(message));
        }

        foreach (var header in message.Headers)
        {
            if (string.IsNullOrWhiteSpace(header.Key) || header.Value is null)
            {
                throw new ArgumentException("Custom email headers need a name and a value.", nameof(message));
            }
        }
    }

    internal static byte[] WriteMessage(EmailMessage message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("senderAddress", message.SenderAddress);

            writer.WriteStartObject("recipients");
            WriteAddresses(writer, "to", message.Recipients.To);
            WriteAddresses(writer, "cc", message.Recipients.CC);
            WriteAddresses(writer, "bcc", message.Recipients.BCC);
            writer.WriteEndObject();

            writer.WriteStartObject("content");
            writer.WriteString("subject", message.Content.Subject);
            if (message.Content.PlainText is { } plainText)
            {
                writer.WriteString("plainText", plainText);
            }

            if (message.Content.Html is { } html)
            {
                writer.WriteString("html", html);
            }

            writer.WriteEndObject();

            if (message.Headers.Count > 0)
            {
                writer.WriteStartObject("headers");
                foreach (var header in message.Headers)
                {
                    writer.WriteString(header.Key, header.Value);
                }

                writer.WriteEndObject();
            }

            if (message.ReplyTo.Count > 0)
            {
                WriteAddresses(writer, "replyTo", message.ReplyTo);
            }

            writer.WriteBoolean("userEngagementTrackingDisabled", message.UserEngagementTrackingDisabled);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteAddresses(Utf8JsonWriter writer, string name, IList<EmailAddress> addresses)
    {
        writer.WriteStartArray(name);
        foreach (var address in addresses)
        {
            writer.WriteStartObject();
            writer.WriteString("address", address.Address);
            if (address.DisplayName is { } displayName)
            {
                writer.WriteString("displayName", displayName);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static EmailSendResult ReadResult(Response response, string fallbackId)
    {
        using var document = JsonDocument.Parse(response.Content.ToMemory());
        var root = document.RootElement;
        var id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : fallbackId;
        var status = root.TryGetProperty("status", out var statusElement) && statusElement.ValueKind == JsonValueKind.String
            ? new EmailSendStatus(statusElement.GetString()!)
            : EmailSendStatus.Running;
        ResponseError? error = null;
        if (root.TryGetProperty("error", out var errorElement) && errorElement.ValueKind == JsonValueKind.Object)
        {
            error = new ResponseError(
                errorElement.TryGetProperty("code", out var code) ? code.GetString() : null,
                errorElement.TryGetProperty("message", out var text) ? text.GetString() : null);
        }

        return new EmailSendResult(id, status, error);
    }

    private static string NormalizeOperationId(string? operationId)
    {
        if (operationId is null)
        {
            return Guid.NewGuid().ToString("D");
        }

        return Guid.TryParse(operationId, out var parsed)
            ? parsed.ToString("D")
            : throw new ArgumentException("The operation id must be a UUID (ACS's Operation-Id header is format: uuid).", nameof(operationId));
    }

    private static Uri ValidEndpoint(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return EmailEndpoint.Validate(endpoint, message => new ArgumentException("The ACS endpoint " + message, nameof(endpoint)));
    }

    private static HmacAuthenticationPolicy CreateHmacPolicy(AzureKeyCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        HmacAuthenticationPolicy.CreateKeyCredential(credential.Key, message => new ArgumentException("The ACS access key " + message, nameof(credential)));
        return new HmacAuthenticationPolicy(credential);
    }
}
