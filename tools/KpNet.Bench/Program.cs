using KpNet.Bench;
using KpNet.Bench.Faults;

return args.FirstOrDefault() switch
{
    "coldstart" => await ColdStart.RunAsync(args[1..]),
    "telemetry-parse" => TelemetryParseBench.Run(args[1..]),
    "telemetry-storage" => await TelemetryStorageBench.RunAsync(args[1..]),
    "telemetry-e2e" => await TelemetryEndToEndBench.RunAsync(args[1..]),
    "table-limits" => TableLimitsBench.Run(args[1..]),
    "simulator-round" => SimulatorRoundBench.Run(args[1..]),
    "faults" => await FaultsBench.RunAsync(args[1..]),
    "dealer-list" => await DealerListBench.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run --project tools/KpNet.Bench -c Release -- <command> [options]
          coldstart [--runs 10] [--publish-dir DIR] [--baseline-dir DIR] [--no-publish]
              publishes the handler and a trivial minimal-API app (tools/KpNet.Bench.Baseline; both
              self-contained linux-x64, ReadyToRun; the baseline to DIR-baseline) and times process start
              to the first 200 from /api/health, started as the Functions host starts them, interleaved
          telemetry-parse [--gateways 250] [--rounds 400] [--batch 1000]
              parse + validate + coalesce per gateway (the ingest function before storage), one thread,
              against a naive JsonSerializer/DTO/per-event-upsert baseline: events/s, ns and bytes per event
          telemetry-storage [--gateways 10000] [--minutes 3] [--batch 1000] [--shards 4]
              the real ingest function against Azurite, gateways sending 1 event/minute: table operations
              per event by kind and requests per storage account, telemetry over --shards accounts
              (AZURITE_CONNECTION_STRING, or Azurite from node_modules in memory)
          telemetry-e2e [--gateways 1000] [--seconds 30] [--senders 4] [--batch 250]
              simulated gateways → Event Hubs REST → local ingest endpoint → storage: sustained events/s
              and lag from send to status visible (p50/p95)
          table-limits [--rounds 20000]
              the Azure limits guard on the SDK's rollup transaction and status update: µs and bytes per request
          simulator-round [--gateways 10000] [--parallel-sends 32]
              the simulator's own CPU per round with the Event Hubs target, up to Azure.Messaging.EventHubs's
              producer (its mocking seam: no AMQP encoding, no network)
          dealer-list [--sizes 10,1000,5000] [--rounds 20] [--page-size 20]
              one dealer's GET /api/dealer/gateways (first and last page) as it maintains more gateways, one in
              20 with a critical alert: latency and table requests per list request, against Azurite
          faults [--seconds 20] [--rate 1.5] [--gateways 8]
              the app (separate process) on an Azurite that keeps its data on disk; users and gateways act through the
              API while storage is stopped 20 s, then frozen 40 s, then the app is killed and restarted (--seconds of
              load before and after each); settles ~12 min, then checks every answer's promise: per-phase table, exit 1
              when an invariant is broken
        """);
    return 2;
}
