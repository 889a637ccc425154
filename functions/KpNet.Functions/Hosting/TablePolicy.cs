using Azure.Core;
using Azure.Core.Pipeline;
using KpNet.Azure.Storage.Tables;

namespace KpNet.Hosting;

/// <summary>
/// An Azure.Core pipeline policy that <see cref="StorageAccount"/> adds to every table client it makes: registered as a
/// singleton, like <see cref="AzureLimits"/> (<see cref="FunctionsHosting.AddFunctionsHosting"/>).
/// </summary>
public sealed record TablePolicy(HttpPipelinePolicy Policy, HttpPipelinePosition Position)
{
    /// <summary>Per call: a request Azure would refuse is answered at once, never retried.</summary>
    public static TablePolicy AzureLimits { get; } = new(new AzureTableLimits(), HttpPipelinePosition.PerCall);
}
