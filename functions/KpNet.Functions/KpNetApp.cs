using KpNet.Access;
using KpNet.Accounts;
using KpNet.Accounts.Dealers;
using KpNet.Accounts.Sessions;
using KpNet.ApiContract;
using KpNet.Audit;
using KpNet.Configuration;
using KpNet.Dealers;
using KpNet.Gateways;
using KpNet.Health;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Local;
using KpNet.Http;
using KpNet.Inventory;
using KpNet.Monitoring;
using KpNet.Notices;
using KpNet.Notifications;
using KpNet.Observability;
using KpNet.Operators;
using KpNet.Portal;
using KpNet.Registration;
using KpNet.Security;
using KpNet.Support;
using KpNet.Telemetry;
using Microsoft.Extensions.Options;

namespace KpNet;

/// <summary>The app's table of contents: configuration, features, functions and endpoints.</summary>
public static class KpNetApp
{
    /// <param name="configureServices">Tests add their own functions or replace services here, before the hosting is derived.</param>
    public static WebApplication Create(string[] args, bool emittingMetadata = false, Action<WebApplicationBuilder>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var mode = HostingMode.From(builder.Configuration, emittingMetadata);
        builder.Configuration.AddFunctionsConfiguration(mode, builder.Environment.ContentRootPath);
        if (builder.Configuration["urls"] is null)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{mode.Port}");
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (mode.UnderFunctionsHost)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                // The trace and span ids (ActivityTrackingOptions) travel as a scope: each line then names its trace.
                o.IncludeScopes = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        builder.AddObservability(mode);
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddRequestDeadline();
        PortalOptions.AddTo(services);
        SupportOptions.AddTo(services);
        AdminOptions.AddTo(services);
        SecurityOptions.AddTo(services);
        DemoDataOptions.AddTo(services);
        services.AddSingleton<SecretHasher>();
        AddNotifications(builder, mode);
        services.AddAccounts();
        services.AddGatewayAccess();
        services.AddRegistration();
        services.AddNotices();
        AddGateways(services, mode);
        services.AddGatewayManagement();
        services.AddAudit();
        services.AddOperatorAccounts();
        services.AddOperatorQueues();
        if (mode.RunsLocalTriggers)
        {
            services.AddHostedService<DemoDealerSeeder>();
            services.AddApiContract();
        }

        builder.Services.AddTelemetry(mode);
        services.AddMonitoring();
        configureServices?.Invoke(builder);
        services.AddFunctionsHosting(mode);

        var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseStatusCodePages();
        if (mode.RunsLocalTriggers)
        {
            app.RequireContentLengthOnHttpFunctionBodies();
            app.UsePortalFiles();
        }

        app.UseStorageOutageResponses();
        app.UseRouting();
        app.UseRequestTimeouts();
        app.UseBodyTypeCheck();
        app.UseSessionAuthentication();
        app.MapHealth();
        app.MapAccounts();
        app.MapRegistration();
        app.MapNotices();
        app.MapGatewayApi();
        app.MapGateways();
        app.MapDealers();
        app.MapOperatorAuditLog();
        app.MapSupport();
        app.MapOperatorGateways();
        app.MapOperatorSupport();
        app.MapOperatorNotices();
        app.MapOperatorAccounts();
        app.MapOperatorQueues();
        if (mode.RunsLocalTriggers)
        {
            app.MapDevMail();
            app.MapApiContract();
        }

        app.MapFunctionsHosting();
        return app;
    }

    private static void AddNotifications(WebApplicationBuilder builder, HostingMode mode)
    {
        var services = builder.Services;
        EmailOptions.AddTo(services);
        services.AddSingleton<EmailOutbox>();
        services.AddSingleton<MailComposer>();
        services.AddSingleton(sp => new MailDeliveries(
            new(() => sp.GetRequiredService<StorageAccount>().GetTableClient(MailDeliveries.TableName)), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SendingPause>();
        services.AddSingleton(new StorageTable(MailDeliveries.TableName));
        services.AddQueueFunction<SendEmailFunction>(SendEmailFunction.Name, EmailOutbox.QueueName);
        services.AddSingleton<StalledMails>();
        services.AddSingleton(new StorageTable(StalledMails.TableName));
        services.AddTimerFunction<RescueStalledMailsFunction>(RescueStalledMailsFunction.Name, RescueStalledMailsFunction.Schedule);
        services.AddSingleton<MailRequests>();
        services.AddQueueFunction<HandleMailRequestFunction>(HandleMailRequestFunction.Name, MailRequests.QueueName);
        if (mode.RunsLocalTriggers)
        {
            var folder = Path.Combine(DataFolder(builder), "mail");
            services.AddSingleton(sp => new DevMailbox(folder, sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IMailSender>(sp => sp.GetRequiredService<DevMailbox>());
        }
        else
        {
            services.AddSingleton<IMailSender>(sp => AcsMailSender.From(sp.GetRequiredService<IOptions<EmailOptions>>().Value, sp.GetRequiredService<IConfiguration>()));
        }
    }

    private static void AddGateways(IServiceCollection services, HostingMode mode)
    {
        services.AddSingleton<GatewayInventory>();
        services.AddSingleton(new StorageTable(GatewayInventory.TableName));
        services.AddSingleton(new StorageTable(GatewayInventory.SerialIndexTableName));
        if (mode.RunsLocalTriggers)
        {
            services.AddHostedService<DemoInventorySeeder>();
        }
    }

    private static string DataFolder(WebApplicationBuilder builder) =>
        Path.GetFullPath(builder.Configuration[AppSettings.DataFolder.Key] ?? ".data", builder.Environment.ContentRootPath);
}
