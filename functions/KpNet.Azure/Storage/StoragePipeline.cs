using Azure.Core;
using Azure.Core.Pipeline;

namespace KpNet.Azure.Storage;

internal static class StoragePipeline
{
    public const string TokenScope = "https://storage.azure.com/.default";

    public static HttpPipeline Build(ClientOptions options, HttpPipelinePolicy authentication) =>
        HttpPipelineBuilder.Build(options, perRetryPolicies: [authentication]);

    public static HttpPipelinePolicy BearerToken(TokenCredential credential) =>
        new BearerTokenAuthenticationPolicy(credential, TokenScope);
}
