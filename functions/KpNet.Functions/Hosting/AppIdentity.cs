using Azure.Identity;
using KpNet.Configuration;

namespace KpNet.Hosting;

/// <summary>The app's managed identity in Azure: user-assigned when AzureWebJobsStorage__clientId names one, else system-assigned.</summary>
public static class AppIdentity
{
    public static ManagedIdentityCredential Credential(IConfiguration configuration) =>
        configuration[AppSettings.StorageClientId.Key] is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
}
