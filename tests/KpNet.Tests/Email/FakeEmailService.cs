using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace KpNet.Tests.Email;

/// <summary>A delivered (202-accepted) email as the fake received it.</summary>
public sealed record AcceptedEmail(
    string OperationId,
    string SenderAddress,
    IReadOnlyList<(string Address, string? DisplayName)> To,
    IReadOnlyList<(string Address, string? DisplayName)> CC,
    IReadOnlyList<(string Address, string? DisplayName)> BCC,
    string Subject,
    string? PlainText,
    string? Html,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyList<string> ReplyTo,
    bool? UserEngagementTrackingDisabled);

/// <summary>Every request the fake saw, in order, with the status it answered.</summary>
public sealed record ReceivedRequest(string Method, string Target, int Status, string? ErrorCode, string? OperationId, string? ClientRequestId, DateTimeOffset At);

/// <summary>
/// A stand-in for the ACS Email data plane on a real Kestrel server. It checks what the service checks:
/// the HMAC-SHA256 signature recomputed from the request as received (method, raw path and query, x-ms-date,
/// Host header, and an x-ms-content-sha256 that must match the body), a date within 15 minutes, the body
/// shape and limits, and api-version. It can throttle (429 + Retry-After) and fail (5xx) on demand.
/// It does not deduplicate repeated Operation-Ids: the ACS spec does not promise it.
/// </summary>
public sealed class FakeEmailService : IAsyncDisposable
{
    public static readonly string[] SupportedApiVersions = ["2023-03-31", "2025-09-01"];

    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);

    private readonly WebApplication _app;
    private readonly X509Certificate2? _certificate;
    private readonly Lock _gate = new();
    private readonly List<AcceptedEmail> _accepted = [];
    private readonly List<ReceivedRequest> _requests = [];
    private readonly Dictionary<string, AcceptedEmail> _operations = [];
    private readonly Queue<DateTimeOffset> _sendWindow = new();
    private int _failuresLeft;
    private int _failureStatus;
    private string? _failureCode;
    private bool _failureCodeHeader;
    private int? _rateLimit;
    private TimeSpan _rateWindow;

    private FakeEmailService(WebApplication app, string accessKey, string? bearerToken, X509Certificate2? certificate)
    {
        _app = app;
        AccessKey = accessKey;
        BearerToken = bearerToken;
        _certificate = certificate;
    }

    /// <summary>The base64 access key the fake verifies HMAC signatures with.</summary>
    public string AccessKey { get; }

    /// <summary>When set, <c>Authorization: Bearer {token}</c> is accepted as well as HMAC.</summary>
    public string? BearerToken { get; }

    public Uri Endpoint { get; private set; } = null!;

    public string ConnectionString => $"endpoint={Endpoint};accesskey={AccessKey}";

    /// <summary>Thumbprint of the self-signed certificate when started with HTTPS.</summary>
    public string? CertificateThumbprint => _certificate?.Thumbprint;

    public IReadOnlyList<AcceptedEmail> Accepted
    {
        get
        {
            lock (_gate)
            {
                return [.. _accepted];
            }
        }
    }

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <param name="bearerToken">Also accept this bearer token (Entra mode).</param>
    /// <param name="useHttps">Serve HTTPS with a throw-away self-signed certificate (bearer tokens need TLS).</param>
    public static async Task<FakeEmailService> StartAsync(string? accessKey = null, string? bearerToken = null, bool useHttps = false)
    {
        accessKey ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var certificate = useHttps ? CreateCertificate() : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        var fake = new FakeEmailService(app, accessKey, bearerToken, certificate);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = new Uri(app.Urls.Single());
        fake.Endpoint = new UriBuilder(address) { Host = "127.0.0.1", Path = "/" }.Uri;
        return fake;
    }

    /// <summary>
    /// Answer the next <paramref name="count"/> requests with <paramref name="status"/> (e.g. 503), before any checks;
    /// with <paramref name="errorCode"/>, also an <c>{"error":{…}}</c> body and, unless told otherwise, <c>x-ms-error-code</c>.
    /// </summary>
    public void FailNext(int count, int status = 503, string? errorCode = null, bool errorCodeHeader = true)
    {
        lock (_gate)
        {
            _failuresLeft = count;
            _failureStatus = status;
            _failureCode = errorCode;
            _failureCodeHeader = errorCodeHeader;
        }
    }

    /// <summary>Accept at most <paramref name="sends"/> emails per <paramref name="window"/> (ACS: 30/min); the rest get 429 with Retry-After.</summary>
    public void LimitSends(int sends, TimeSpan window)
    {
        lock (_gate)
        {
            _rateLimit = sends;
            _rateWindow = window;
            _sendWindow.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate?.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path + request.QueryString).ToString();
        var body = await ReadBodyAsync(request);
        var operationId = request.Headers["Operation-Id"].FirstOrDefault();
        var (status, code) = await AnswerAsync(context, target, body, operationId);
        lock (_gate)
        {
            _requests.Add(new ReceivedRequest(request.Method, target, status, code, operationId, request.Headers["x-ms-client-request-id"].FirstOrDefault(), DateTimeOffset.UtcNow));
        }
    }

    private async Task<(int Status, string? Code)> AnswerAsync(HttpContext context, string target, byte[] body, string? operationId)
    {
        var request = context.Request;
        int failureStatus;
        string? failureCode;
        bool failureCodeHeader;
        lock (_gate)
        {
            if (_failuresLeft == 0)
            {
                failureStatus = 0;
                failureCode = null;
                failureCodeHeader = false;
            }
            else
            {
                _failuresLeft--;
                (failureStatus, failureCode, failureCodeHeader) = (_failureStatus, _failureCode, _failureCodeHeader);
            }
        }

        if (failureStatus != 0)
        {
            if (failureCode is null)
            {
                context.Response.StatusCode = failureStatus;
                return (failureStatus, null);
            }

            return await ErrorAsync(context, failureStatus, failureCode, "Scripted failure.", failureCodeHeader);
        }

        if (!IsAuthorised(request, target, body, out var why))
        {
            return await ErrorAsync(context, 401, "Denied", why);
        }

        var apiVersion = request.Query["api-version"].FirstOrDefault();
        if (string.IsNullOrEmpty(apiVersion))
        {
            return await ErrorAsync(context, 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
        }

        if (!SupportedApiVersions.Contains(apiVersion))
        {
            return await ErrorAsync(context, 400, "UnsupportedApiVersion", $"The HTTP resource does not support api version '{apiVersion}'.");
        }

        if (HttpMethods.IsGet(request.Method) && request.Path.StartsWithSegments("/emails/operations", out var rest))
        {
            return await GetOperationAsync(context, rest.Value!.TrimStart('/'));
        }

        if (!HttpMethods.IsPost(request.Method) || request.Path != "/emails:send")
        {
            return await ErrorAsync(context, 404, "NotFound", "Resource not found.");
        }

        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return await ErrorAsync(context, 415, "UnsupportedMediaType", "Content-Type must be application/json.");
        }

        if (operationId is not null && !Guid.TryParse(operationId, out _))
        {
            return await ErrorAsync(context, 400, "InvalidOperationId", "Operation-Id must be a UUID.");
        }

        if (body.Length > 10 * 1024 * 1024)
        {
            return await ErrorAsync(context, 413, "RequestTooLarge", "The request exceeds 10 MB.");
        }

        AcceptedEmail email;
        try
        {
            email = ParseEmail(body, operationId ?? Guid.NewGuid().ToString("D"));
        }
        catch (InvalidDataException e)
        {
            return await ErrorAsync(context, 400, "InvalidRequest", e.Message);
        }
        catch (JsonException)
        {
            return await ErrorAsync(context, 400, "InvalidRequest", "The request body is not valid JSON.");
        }

        TimeSpan? retryAfter = null;
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            if (_rateLimit is { } limit)
            {
                while (_sendWindow.Count > 0 && now - _sendWindow.Peek() >= _rateWindow)
                {
                    _sendWindow.Dequeue();
                }

                if (_sendWindow.Count >= limit)
                {
                    retryAfter = _sendWindow.Peek() + _rateWindow - now;
                }
                else
                {
                    _sendWindow.Enqueue(now);
                }
            }

            if (retryAfter is null)
            {
                _accepted.Add(email);
                _operations[email.OperationId] = email;
            }
        }

        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return await ErrorAsync(context, 429, "TooManyRequests", "Too many requests. Please retry after the period in the Retry-After header.");
        }

        var endpoint = $"{request.Scheme}://{request.Host}";
        context.Response.StatusCode = 202;
        context.Response.Headers["Operation-Location"] = $"{endpoint}/emails/operations/{email.OperationId}?api-version={apiVersion}";
        context.Response.Headers["retry-after"] = "30";
        await context.Response.WriteAsJsonAsync(new { id = email.OperationId, status = "Running" });
        return (202, null);
    }

    private async Task<(int Status, string? Code)> GetOperationAsync(HttpContext context, string id)
    {
        bool known;
        lock (_gate)
        {
            known = _operations.ContainsKey(id);
        }

        if (!known)
        {
            return await ErrorAsync(context, 404, "NotFound", "Operation not found.");
        }

        await context.Response.WriteAsJsonAsync(new { id, status = "Succeeded" });
        return (200, null);
    }

    private bool IsAuthorised(HttpRequest request, string target, byte[] body, out string why)
    {
        var authorization = request.Headers.Authorization.FirstOrDefault() ?? string.Empty;
        if (BearerToken is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            why = "The bearer token is not valid.";
            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..]), Encoding.UTF8.GetBytes(BearerToken));
        }

        const string prefix = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=";
        if (!authorization.StartsWith(prefix, StringComparison.Ordinal))
        {
            why = "Authorization must be 'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=…'.";
            return false;
        }

        var date = request.Headers["x-ms-date"].FirstOrDefault();
        if (date is null || !DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            why = "x-ms-date is missing or not an RFC 1123 date.";
            return false;
        }

        if ((DateTimeOffset.UtcNow - signedAt).Duration() > MaxClockSkew)
        {
            why = "x-ms-date is more than 15 minutes from the service's clock.";
            return false;
        }

        var contentHash = request.Headers["x-ms-content-sha256"].FirstOrDefault();
        if (contentHash != Convert.ToBase64String(SHA256.HashData(body)))
        {
            why = "x-ms-content-sha256 does not match the body received.";
            return false;
        }

        var stringToSign = $"{request.Method}\n{target}\n{date};{request.Headers.Host};{contentHash}";
        var expected = HMACSHA256.HashData(Convert.FromBase64String(AccessKey), Encoding.UTF8.GetBytes(stringToSign));
        var given = authorization[prefix.Length..];
        var givenBytes = new byte[expected.Length];
        if (!Convert.TryFromBase64String(given, givenBytes, out var written) || written != expected.Length
            || !CryptographicOperations.FixedTimeEquals(expected, givenBytes))
        {
            why = "The request signature does not match.";
            return false;
        }

        why = string.Empty;
        return true;
    }

    private static AcceptedEmail ParseEmail(byte[] body, string operationId)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("The body must be a JSON object.");
        }

        var sender = RequiredString(root, "senderAddress");
        var recipients = root.TryGetProperty("recipients", out var r) && r.ValueKind == JsonValueKind.Object
            ? r
            : throw new InvalidDataException("recipients is required.");
        var to = Addresses(recipients, "to");
        var cc = Addresses(recipients, "cc");
        var bcc = Addresses(recipients, "bcc");
        if (to.Count == 0)
        {
            throw new InvalidDataException("recipients.to needs at least one address.");
        }

        if (to.Count + cc.Count + bcc.Count > 50)
        {
            throw new InvalidDataException("An email can have at most 50 recipients.");
        }

        var content = root.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.Object
            ? c
            : throw new InvalidDataException("content is required.");
        var subject = RequiredString(content, "subject");
        var plainText = OptionalString(content, "plainText");
        var html = OptionalString(content, "html");
        if (string.IsNullOrEmpty(plainText) && string.IsNullOrEmpty(html))
        {
            throw new InvalidDataException("content needs plainText or html.");
        }

        var headers = new Dictionary<string, string>();
        if (root.TryGetProperty("headers", out var h))
        {
            foreach (var header in h.EnumerateObject())
            {
                headers[header.Name] = header.Value.GetString() ?? throw new InvalidDataException("Header values must be strings.");
            }
        }

        var replyTo = root.TryGetProperty("replyTo", out _) ? Addresses(root, "replyTo").Select(a => a.Address).ToList() : [];
        bool? tracking = root.TryGetProperty("userEngagementTrackingDisabled", out var t) ? t.GetBoolean() : null;
        return new AcceptedEmail(operationId, sender, to, cc, bcc, subject, plainText, html, headers, replyTo, tracking);
    }

    private static List<(string Address, string? DisplayName)> Addresses(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{name} must be an array.");
        }

        return [.. array.EnumerateArray().Select(a => (ValidAddress(RequiredString(a, "address")), OptionalString(a, "displayName")))];
    }

    private static string ValidAddress(string address)
    {
        var at = address.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == address.LastIndexOf('@') && at < address.Length - 1
            ? address
            : throw new InvalidDataException("An email address is not valid.");
    }

    private static string RequiredString(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0
            ? value.GetString()!
            : throw new InvalidDataException($"{name} is required.");

    private static string? OptionalString(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task<(int Status, string? Code)> ErrorAsync(HttpContext context, int status, string code, string message, bool codeHeader = true)
    {
        context.Response.StatusCode = status;
        if (codeHeader)
        {
            context.Response.Headers["x-ms-error-code"] = code;
        }

        await context.Response.WriteAsJsonAsync(new { error = new { code, message } });
        return (status, code);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
