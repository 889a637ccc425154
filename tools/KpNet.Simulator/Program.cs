using System.Diagnostics;
using System.Runtime.InteropServices;
using KpNet.Azure.EventHubs;
using KpNet.Simulator;

SimulatorOptions options;
try
{
    options = SimulatorOptions.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(SimulatorOptions.Usage);
    return 2;
}

if (options.MakeInventory is { } inventoryPath)
{
    try
    {
        SimulatedInventory.Write(inventoryPath, options.Count!.Value);
    }
    catch (IOException e)
    {
        Console.Error.WriteLine(e.Message);
        return 1;
    }

    Console.WriteLine($"{options.Count} simulated gateways written to {inventoryPath}.");
    return 0;
}

using var loggers = LoggerFactory.Create(builder => builder.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
}));
var log = loggers.CreateLogger("KpNet.Simulator");

var gateways = DemoGateways.Read(options.GatewaysCsv).Take(options.Count ?? int.MaxValue).ToList();
ITelemetrySender sender;
SettingsPoller? settingsPoller = null;
using var appClient = new HttpClient();
await using var eventHubsProducer = options.SendsToEventHubs ? EventHubsTarget.CreateProducer(options) : null;
if (eventHubsProducer is not null)
{
    sender = new EventHubsTelemetrySender(eventHubsProducer, options.ParallelSends);
    SimulatorLog.Started(log, gateways.Count, eventHubsProducer.EventHubName, eventHubsProducer.FullyQualifiedNamespace, "Azure.Messaging.EventHubs as " + EventHubsTarget.Identity(options), options.Interval.TotalSeconds, options.Speed, options.Faults);
}
else
{
    var connection = options.Connection ?? SimulatorOptions.LocalConnection(Directory.GetCurrentDirectory(), Environment.GetEnvironmentVariable("KPNET_PORT"));
    var restProducer = new EventHubsProducerClient(connection);
    sender = new TelemetrySender(restProducer);

    // The local ingest endpoint is the app itself: there the simulated gateways also poll their settings, as real ones do.
    appClient.BaseAddress = new UriBuilder(EventHubsConnectionString.Parse(connection).Endpoint) { Scheme = Uri.UriSchemeHttp }.Uri;
    settingsPoller = new SettingsPoller(appClient, gateways);
    SimulatorLog.Started(log, gateways.Count, restProducer.EventHubName, EventHubsConnectionString.Parse(connection).Endpoint.Authority, "the REST send API", options.Interval.TotalSeconds, options.Speed, options.Faults);
}

var simulator = new GatewaySimulator(gateways, options.Interval, options.Speed, options.Faults);

using var stopping = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stopping.Cancel();
}

using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

var round = 0;
var anyFailed = false;
while (!stopping.IsCancellationRequested)
{
    round++;
    var clock = Stopwatch.StartNew();
    SendResult result;
    try
    {
        result = await sender.SendAsync(simulator.NextRound(DateTimeOffset.UtcNow), stopping.Token);
    }
    catch (OperationCanceledException)
    {
        break;
    }

    anyFailed |= result.Failed > 0;
    if (settingsPoller is not null && (round - 1) % SettingsPollRounds(options.Interval) == 0)
    {
        try
        {
            if (await settingsPoller.PollAsync(stopping.Token) is > 0 and var applied)
            {
                SimulatorLog.SettingsApplied(log, applied);
            }
        }
        catch (HttpRequestException e)
        {
            SimulatorLog.SettingsPollFailed(log, e.Message);
        }
        catch (OperationCanceledException)
        {
            break;
        }
    }

    if (result.Failed > 0)
    {
        SimulatorLog.RoundFailed(log, round, result.Sent, result.Failed, result.Requests, clock.ElapsedMilliseconds, result.LastError);
    }
    else
    {
        SimulatorLog.RoundSent(log, round, result.Sent, result.Requests, clock.ElapsedMilliseconds);
    }

    if (options.Once)
    {
        break;
    }

    try
    {
        await Task.Delay(options.Interval - clock.Elapsed > TimeSpan.Zero ? options.Interval - clock.Elapsed : TimeSpan.Zero, stopping.Token);
    }
    catch (OperationCanceledException)
    {
        break;
    }
}

SimulatorLog.Stopped(log, round);
return options.Once && anyFailed ? 1 : 0;

// Gateways read their settings about every 30 s, whatever the telemetry interval.
static int SettingsPollRounds(TimeSpan interval) => Math.Max(1, (int)(TimeSpan.FromSeconds(30) / interval));
