using Azure.Monitor.OpenTelemetry.AspNetCore;
using KpNet.Configuration;
using KpNet.Hosting;
using KpNet.Hosting.Invocation;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace KpNet.Observability;

/// <summary>
/// OpenTelemetry, configured once: a span for every HTTP request and every function invocation, the Azure SDK's and
/// HttpClient's spans for storage and mail calls, the <see cref="KpNetMetrics"/>, and the logs with their trace ids.
/// Exporters come from the standard settings only: Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is set,
/// OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (protocol, headers, intervals from the other OTEL_* settings), and
/// without either nothing is collected at all.
/// </summary>
public static class ObservabilityRegistration
{
    public const string ServiceName = "kpnet-functions";

    /// <summary>The Azure SDK's ActivitySources ("Azure.Data.Tables.TableClient", "Azure.Storage.Queues.QueueClient", ours for ACS…).</summary>
    private const string AzureSdkSources = "Azure.*";

    public static void AddObservability(this WebApplicationBuilder builder, HostingMode mode)
    {
        builder.Services.AddSingleton<KpNetMetrics>();
        var configuration = builder.Configuration;
        var azureMonitor = configuration[AppSettings.ApplicationInsights.Key] is { Length: > 0 };
        var otlp = configuration[AppSettings.OtlpEndpoint.Key] is { Length: > 0 };
        if (!azureMonitor && !otlp)
        {
            return;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(InvocationTracing.SourceName)
                    .AddSource(AzureSdkSources)
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => IsTraced(context, mode))
                    .AddHttpClientInstrumentation()
                    .AddProcessor<UrlRedaction>();
                if (!azureMonitor && configuration["OTEL_TRACES_SAMPLER"] is null)
                {
                    // The host calls us with its own traceparent, flagged "not sampled" whenever the host itself records
                    // nothing: following that flag would drop every span of ours. Continue its trace id, record always.
                    tracing.SetSampler(new ParentBasedSampler(new AlwaysOnSampler(), remoteParentNotSampled: new AlwaysOnSampler()));
                }
            })
            .WithMetrics(metrics => metrics.AddMeter(KpNetMetrics.MeterName))
            .WithLogging(configureBuilder: null, configureOptions: options => options.IncludeFormattedMessage = true);
        if (azureMonitor)
        {
            telemetry.UseAzureMonitor(options =>
            {
                // Spans are sampled (the distro's default: 5 traces a second; OTEL_TRACES_SAMPLER changes it), logs never:
                // the ingest-lag alert reads every batch's log line, whether its trace was kept or not.
                options.EnableTraceBasedLogsSampler = false;
                // Application Insights takes Microsoft Entra tokens only (the infrastructure turns local auth off).
                if (configuration[AppSettings.ApplicationInsightsAuthentication.Key]?.Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase) == true)
                {
                    options.Credential = AppIdentity.Credential(configuration);
                }
            });
        }

        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }
    }

    /// <summary>
    /// Liveness probes are not traced, so /api/health stays as cheap as it answers. Nor is the host's POST /{FunctionName}
    /// itself: the invocation's own span (<see cref="InvocationTracing"/>), named after the function, stands for it.
    /// </summary>
    private static bool IsTraced(HttpContext context, HostingMode mode) =>
        !context.Request.Path.Equals("/api/health", StringComparison.OrdinalIgnoreCase)
        && !(mode.UnderFunctionsHost && InvocationEndpoint.IsInvocation(context.Request));
}
