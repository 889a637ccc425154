using KpNet.Configuration;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;
using KpNet.Hosting.Local;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KpNet.Hosting;

/// <summary>The plumbing between the Functions host (or its local stand-ins) and the app's features.</summary>
public static class FunctionsHosting
{
    public const string HostJsonFile = "host.json";
    public const string LocalSettingsFile = "local.settings.json";

    /// <summary>
    /// Locally, host.json becomes configuration under AzureFunctionsJobHost (as in the real host, where app settings can
    /// override it) for the local triggers, the only readers of it, and local.settings.json's Values act as the app
    /// settings; both sit below environment variables. Under the Functions host the host reads host.json itself and
    /// the app adds nothing, which keeps a JSON parse off the cold start.
    /// </summary>
    public static void AddFunctionsConfiguration(this ConfigurationManager configuration, HostingMode mode, string contentRoot)
    {
        if (!mode.RunsLocalTriggers)
        {
            return;
        }

        var settings = new Dictionary<string, string?>();
        var hostJson = Path.Combine(AppContext.BaseDirectory, HostJsonFile);
        if (File.Exists(hostJson))
        {
            foreach (var (key, value) in new ConfigurationBuilder().AddJsonFile(hostJson).Build().AsEnumerable())
            {
                settings["AzureFunctionsJobHost:" + key] = value;
            }
        }

        var localSettings = Path.Combine(contentRoot, LocalSettingsFile);
        if (File.Exists(localSettings))
        {
            foreach (var (key, value) in new ConfigurationBuilder().AddJsonFile(localSettings).Build().GetSection("Values").AsEnumerable(makePathsRelative: true))
            {
                // As environment variables, "__" separates sections.
                settings[key.Replace("__", ":", StringComparison.Ordinal)] = value;
            }
        }

        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = settings });
    }

    /// <summary>Call after every feature has declared its functions: local triggers are derived from those declarations.</summary>
    public static IServiceCollection AddFunctionsHosting(this IServiceCollection services, HostingMode mode)
    {
        services.AddSingleton(mode);
        // TryAdd: tests register their own clock in configureServices, which runs before this.
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(TablePolicy.AzureLimits);
        services.AddSingleton<StorageAccount>();
        services.AddSingleton<TriggerFunctions>();
        services.AddSingleton<InvocationDispatcher>();
        if (!mode.RunsLocalTriggers)
        {
            return services;
        }

        services.AddOptions<QueueTriggerOptions>().BindConfiguration(QueueTriggerOptions.Section);
        services.AddOptions<EventHubTriggerOptions>().BindConfiguration(EventHubTriggerOptions.Section);
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, StorageInitializer>());
        var functions = services.Where(d => d.ServiceType == typeof(FunctionDefinition) && d.ImplementationInstance is not null)
            .Select(d => (FunctionDefinition)d.ImplementationInstance!).ToList();
        foreach (var function in functions)
        {
            switch (function.Trigger)
            {
                case QueueTrigger:
                    services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<LocalQueueTrigger>(sp, function));
                    break;
                case TimerTrigger:
                    services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<LocalTimerTrigger>(sp, function));
                    break;
                case EventHubTrigger:
                    services.AddKeyedSingleton(function.Name, (sp, _) => ActivatorUtilities.CreateInstance<LocalEventHub>(sp, function));
                    services.AddSingleton<IHostedService>(sp => sp.GetRequiredKeyedService<LocalEventHub>(function.Name));
                    break;
            }
        }

        return services;
    }

    /// <summary>
    /// Under the host: POST /{FunctionName} for its invocations. Locally nothing posts invocations (the local triggers call
    /// the dispatcher in-process), and an unauthenticated endpoint that runs any function would let any web page the
    /// developer opens make the local app send mail.
    /// </summary>
    public static WebApplication MapFunctionsHosting(this WebApplication app)
    {
        if (app.Services.GetRequiredService<HostingMode>().UnderFunctionsHost)
        {
            app.MapFunctionInvocations();
        }
        else
        {
            var functions = app.Services.GetRequiredService<TriggerFunctions>().OfTrigger<EventHubTrigger>();
            app.MapLocalEventHubs(functions.Select(f => app.Services.GetRequiredKeyedService<LocalEventHub>(f.Function.Name)));
        }

        return app;
    }
}
