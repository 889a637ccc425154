using KpNet.Bench;

return args.FirstOrDefault() switch
{
    "coldstart" => await ColdStart.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run --project tools/KpNet.Bench -c Release -- <command> [options]
          coldstart [--runs 10] [--publish-dir DIR] [--no-publish]
              publishes the handler (self-contained linux-x64, ReadyToRun) and times process start
              to the first 200 from /api/health, started as the Functions host starts it
        """);
    return 2;
}
