using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KpNet.Azure.Email;

/// <summary>
/// Signs each attempt with the ACS access key (HMAC-SHA256). Runs per retry: the date, and so the
/// signature, changes on every attempt.
/// <code>
/// StringToSign = VERB "\n" pathAndQuery "\n" x-ms-date ";" host ";" x-ms-content-sha256
/// Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&amp;Signature=Base64(HMACSHA256(Base64Decode(key), UTF8(StringToSign)))
/// </code>
/// </summary>
internal sealed class HmacAuthenticationPolicy(AzureKeyCredential credential, TimeProvider? timeProvider = null) : HttpPipelinePolicy
{
    internal const string DateHeader = "x-ms-date";
    internal const string ContentHashHeader = "x-ms-content-sha256";
    internal const string SignedHeaders = "x-ms-date;host;x-ms-content-sha256";

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Sign(message, ComputeContentHash(message));
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Sign(message, await ComputeContentHashAsync(message).ConfigureAwait(false));
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
    }

    /// <summary>Validates the key once, up front, so a bad key fails at construction rather than on the first send.</summary>
    internal static AzureKeyCredential CreateKeyCredential(string accessKey, Func<string, Exception> error)
    {
        if (!IsBase64(accessKey))
        {
            throw error("is not valid base64.");
        }

        return new AzureKeyCredential(accessKey);
    }

    internal static string BuildStringToSign(string method, string pathAndQuery, string date, string host, string contentHash) =>
        $"{method}\n{pathAndQuery}\n{date};{host};{contentHash}";

    internal static string ComputeSignature(string accessKey, string stringToSign)
    {
        var key = Convert.FromBase64String(accessKey);
        try
        {
            return Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private void Sign(HttpMessage message, string contentHash)
    {
        var request = message.Request;
        var uri = request.Uri.ToUri();
        var date = _time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        var stringToSign = BuildStringToSign(request.Method.Method, uri.PathAndQuery, date, uri.Authority, contentHash);
        var signature = ComputeSignature(credential.Key, stringToSign);

        request.Headers.SetValue(DateHeader, date);
        request.Headers.SetValue(ContentHashHeader, contentHash);
        request.Headers.SetValue(HttpHeader.Names.Authorization, $"HMAC-SHA256 SignedHeaders={SignedHeaders}&Signature={signature}");
    }

    private static string ComputeContentHash(HttpMessage message)
    {
        using var buffer = new MemoryStream();
        message.Request.Content?.WriteTo(buffer, message.CancellationToken);
        return HashBuffer(buffer);
    }

    private static async ValueTask<string> ComputeContentHashAsync(HttpMessage message)
    {
        using var buffer = new MemoryStream();
        if (message.Request.Content is { } content)
        {
            await content.WriteToAsync(buffer, message.CancellationToken).ConfigureAwait(false);
        }

        return HashBuffer(buffer);
    }

    private static string HashBuffer(MemoryStream buffer) =>
        Convert.ToBase64String(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));

    private static bool IsBase64(string value)
    {
        var bytes = new byte[value.Length];
        return value.Length > 0 && Convert.TryFromBase64String(value, bytes, out var written) && written > 0;
    }
}
