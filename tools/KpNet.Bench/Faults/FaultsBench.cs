using System.Globalization;
using System.Net;

namespace KpNet.Bench.Faults;

/// <summary>A fault and when it was in force (for the app: from the kill until the restarted app answered).</summary>
public sealed record Fault(string Phase, TimeSpan From, TimeSpan To);

/// <summary>
/// faults (issue 13): the app (dotnet KpNet.Handler.dll, local mode) on an Azurite that keeps its data on disk, both
/// started here; users and gateways act through the public API while, one phase after another, storage is stopped and
/// started again 20 s later, frozen 40 s, and the app is killed and restarted. Then the run settles (the held queue
/// messages of the killed app come back after 10 minutes; interrupted registrations are repaired 10–12 minutes after
/// they began) and <see cref="FaultVerdict"/> checks what every answer promised.
/// </summary>
public static class FaultsBench
{
    /// <summary>The demo inventory's gateways go to the owners, activated before the faults; each owner may ask for one reset.</summary>
    private const int ResetsPerPhase = 8;
    private const string StorageKilled = "storage killed";

    private static readonly TimeSpan StorageDown = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StoragePaused = TimeSpan.FromSeconds(40);

    /// <summary>The killed app's received queue messages stay hidden for the lease the local trigger took (10 minutes).</summary>
    private static readonly TimeSpan HeldMessagesBack = TimeSpan.FromMinutes(11);

    /// <summary>RepairInterruptedRegistrations: every 2 minutes, records older than 10 minutes (by their minute).</summary>
    public static readonly TimeSpan RepairWindow = TimeSpan.FromMinutes(13);

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = TimeSpan.FromSeconds(double.Parse(BenchSupport.Option(args, "--seconds") ?? "20", CultureInfo.InvariantCulture));
        var actionsPerSecond = double.Parse(BenchSupport.Option(args, "--rate") ?? "1.5", CultureInfo.InvariantCulture);
        var sendingCount = int.Parse(BenchSupport.Option(args, "--gateways") ?? "8", CultureInfo.InvariantCulture);
        var root = BenchSupport.RepositoryRoot();
        var folder = Path.Combine(Path.GetTempPath(), "kpnet-faults-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);

        var demoCsv = Path.Combine(root, "tools", "demo", "gateways.csv");
        var demoSheets = File.ReadAllLines(demoCsv).Skip(1).Where(line => line.Length > 0)
            .Select(line => line.Split(',')).Select(cells => new GatewaySheet(cells[0], cells[1])).ToList();
        var burstSeconds = 6 * seconds.TotalSeconds + StorageDown.TotalSeconds + StoragePaused.TotalSeconds + 10;
        var sheets = Enumerable.Range(1, (int)(actionsPerSecond * burstSeconds * 2 / 5 * 1.5) + 20)
            .Select(i => new GatewaySheet($"FT{i:D10}", $"faultsheet{i:D5}")).ToList();
        var inventoryCsv = Path.Combine(folder, "inventory.csv");
        await File.WriteAllLinesAsync(inventoryCsv, File.ReadAllLines(demoCsv).Concat(sheets.Select(g => $"{g.Id},{g.Password},GW-M001,0{g.Id[2..]},multi-v2x")));

        Console.WriteLine($"faults: Azurite and the app in {folder}; {actionsPerSecond} user actions/s, {sendingCount} gateways sending every 5 s, {seconds.TotalSeconds:F0} s of load before and after each fault");
        await using var azurite = await AzuriteServer.StartAsync(Path.Combine(folder, "azurite"));
        await using var app = new AppProcess(folder, azurite.ConnectionString, inventoryCsv);
        var log = new RequestLog();
        var users = new Users(app.BaseAddress, log);
        var local = users.ClientFor(IPAddress.Loopback);
        app.Start();
        await app.WaitUntilListeningAsync(local);
        await app.InventoryImported.WaitAsync(TimeSpan.FromMinutes(5));

        var owners = demoSheets.Select((g, i) => new Owner(i + 1, $"fault-owner{i + 1}@example.jp", new IPAddress([127, 10, 0, (byte)(i + 1)]), g)).ToList();
        var sending = await SetUpAsync(users, app, owners, sendingCount);
        Console.WriteLine($"  setup: {owners.Count} owners activated and logged in, {sending.Count} gateways with their telemetry tokens ({log.Now.TotalSeconds:F0} s)");

        var load = new UserLoad(users, log, owners, sheets,
            email => DeliveredMail.ReadAll(app.MailFolder).Any(m => m.Kind == "activation" && string.Equals(m.To, email, StringComparison.OrdinalIgnoreCase)));
        log.Phase = StorageKilled;
        using var stopLoad = new CancellationTokenSource();
        using var stopGenerating = new CancellationTokenSource();
        using var giveUpSending = new CancellationTokenSource();
        var loadRun = load.RunAsync(actionsPerSecond, stopLoad.Token);
        var sendingRuns = sending.Select(g => g.RunAsync(log, stopGenerating.Token, giveUpSending.Token)).ToList();
        var faults = new List<Fault>();

        async Task PhaseAsync(string name, int index, Func<Task<TimeSpan>> inject)
        {
            log.Phase = name;
            load.AllowResets(owners.Skip(index * ResetsPerPhase).Take(ResetsPerPhase));
            await Task.Delay(seconds);
            var from = log.Now;
            var to = await inject();
            faults.Add(new Fault(name, from, to));
            Console.WriteLine($"  {name}: fault from {from.TotalSeconds:F1} s to {to.TotalSeconds:F1} s");
            await Task.Delay(seconds);
        }

        await PhaseAsync(StorageKilled, 0, async () =>
        {
            await azurite.StopAsync();
            await Task.Delay(StorageDown);
            await azurite.RestartAsync();
            return log.Now;
        });
        await PhaseAsync("storage paused", 1, async () =>
        {
            azurite.Pause();
            await Task.Delay(StoragePaused);
            azurite.Resume();
            return log.Now;
        });
        await PhaseAsync("app killed", 2, async () =>
        {
            var killed = log.Now;
            await app.KillAsync();
            app.Start();
            await app.WaitUntilListeningAsync(local);
            log.AddAppDown(killed, log.Now);
            return log.Now;
        });

        await stopLoad.CancelAsync();
        await loadRun;
        log.Phase = "settle";
        await stopGenerating.CancelAsync();
        giveUpSending.CancelAfter(TimeSpan.FromMinutes(3));
        await Task.WhenAll(sendingRuns);
        Console.WriteLine($"  load stopped at {log.Now.TotalSeconds:F0} s; settling until the app's held messages are back ({HeldMessagesBack.TotalMinutes} min after the kill) and every failed registration is settled (up to {RepairWindow.TotalMinutes} min after it)");

        var verdict = new FaultVerdict(users, log, app.MailFolder, owners, sending, load, faults);
        await verdict.SettleAsync(faults[^1].From + HeldMessagesBack);
        await verdict.CheckAsync();
        verdict.Print();
        Console.WriteLine($"  data and app.log kept in {folder}");
        return verdict.Violations.Count == 0 ? 0 : 1;
    }

    /// <summary>Owners register their gateways, activate from the mail and log in; the first <paramref name="sendingCount"/> gateways get their telemetry tokens.</summary>
    private static async Task<List<SendingGateway>> SetUpAsync(Users users, AppProcess app, IReadOnlyList<Owner> owners, int sendingCount)
    {
        var registered = await Task.WhenAll(owners.Select(o => users.RegisterAsync(o.From, o.Email, o.Gateway)));
        if (registered.Any(accepted => !accepted))
        {
            throw new InvalidOperationException("Setup: an owner's registration was refused; see app.log.");
        }

        var tokens = await FaultVerdict.WaitForAsync(() =>
        {
            var links = DeliveredMail.ReadAll(app.MailFolder).Where(m => m.Kind == "activation").ToLookup(m => m.To);
            return owners.All(o => links[o.Email].Any()) ? owners.ToDictionary(o => o, o => links[o.Email].Last().Token!) : null;
        }, TimeSpan.FromMinutes(3)) ?? throw new InvalidOperationException("Setup: the owners' activation mails did not all arrive.");

        foreach (var owner in owners)
        {
            if (!await users.ActivateAsync(owner.From, tokens[owner]) || await users.LoginAsync(owner.From, owner.Email) is not { } session)
            {
                throw new InvalidOperationException($"Setup: {owner.Email} could not activate or log in.");
            }

            owner.Session = session;
        }

        var sending = new List<SendingGateway>();
        foreach (var owner in owners.Take(sendingCount))
        {
            var from = new IPAddress([127, 13, 0, (byte)owner.Number]);
            var (endpoint, token) = await users.TelemetryTokenAsync(from, owner.Gateway) ?? throw new InvalidOperationException($"Setup: no telemetry token for {owner.Gateway.Id}.");
            sending.Add(new SendingGateway(owner, endpoint, token, users.ClientFor(from)));
        }

        return sending;
    }
}
