using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KpNet.Azure.Storage;

/// <summary>
/// Sets <c>x-ms-date</c> and the Shared Key <c>Authorization</c> header. Runs per retry because
/// the date, and so the signature, changes on every attempt.
/// </summary>
internal abstract class SharedKeyPolicy(StorageSharedKeyCredential credential, string scheme) : HttpPipelineSynchronousPolicy
{
    protected StorageSharedKeyCredential Credential { get; } = credential;

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture));
        var signature = Credential.ComputeSignature(BuildStringToSign(request));
        request.Headers.SetValue(HttpHeader.Names.Authorization, $"{scheme} {Credential.AccountName}:{signature}");
    }

    internal abstract string BuildStringToSign(Request request);

    /// <summary>
    /// <c>/{account}{path}</c>. On Azurite the path already starts with the account, so the name
    /// appears twice, which is what Azurite expects.
    /// </summary>
    protected string CanonicalizedResourcePath(Uri uri) => $"/{Credential.AccountName}{uri.AbsolutePath}";

    protected static string HeaderOrEmpty(Request request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value : string.Empty;
}
