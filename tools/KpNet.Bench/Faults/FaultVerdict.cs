using System.Globalization;
using System.Net;
using System.Text.Json;

namespace KpNet.Bench.Faults;

/// <summary>How a registration answered otherwise than 202 ended: its user got the link anyway, or the gateway was free again.</summary>
public sealed record FailedRegistration(RegistrationAttempt Attempt)
{
    public string? Resolution { get; set; }

    public TimeSpan? LastTried { get; set; }
}

/// <summary>After the run: settles, then checks that every answer kept its promise, and prints the numbers per phase.</summary>
public sealed class FaultVerdict(
    Users users, RequestLog log, string mailFolder, IReadOnlyList<Owner> owners, IReadOnlyList<SendingGateway> sending, UserLoad load, IReadOnlyList<Fault> faults)
{
    private static readonly string[] UserKinds = ["registration", "activation link", "password reset", "login"];
    private static readonly TimeSpan FreeAgainTry = TimeSpan.FromMinutes(2);

    private readonly List<FailedRegistration> _failed = load.Registrations.Where(r => !r.Accepted).Select(r => new FailedRegistration(r)).ToList();

    /// <summary>Mails the settle step asked for: (phase, address) of accepted registrations by another address or a retry.</summary>
    private readonly List<RegistrationAttempt> _settleRegistrations = [];
    private readonly Dictionary<string, (int Checked, int Failed)> _links = [];
    private readonly Dictionary<string, (int Checked, int Failed)> _sessions = [];
    private readonly Dictionary<string, (int Promised, int Delivered, int Duplicates, int Missing, int Extra)> _mails = [];
    private (long Sent, long Applied, long Duplicates, long Missing, int Buckets, int Mismatched, int Unsent) _telemetry;
    private int _others;

    public List<string> Violations { get; } = [];

    public static async Task<T?> WaitForAsync<T>(Func<T?> probe, TimeSpan timeout) where T : class
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > until)
            {
                return null;
            }

            await Task.Delay(1000);
        }
    }

    /// <summary>
    /// Until <paramref name="heldMessagesBack"/> and until every failed registration is settled: its user got the
    /// activation mail (the request went through although its answer did not), or another address registers the
    /// gateway (tried every 2 minutes; free at once when it was never claimed, else once the repair released it).
    /// Past the repair window a gateway still held without a link for its user is a violation.
    /// </summary>
    public async Task SettleAsync(TimeSpan heldMessagesBack)
    {
        while (true)
        {
            var links = DeliveredMail.ReadAll(mailFolder).Where(m => m.Kind == "activation").Select(m => m.To).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var failed in _failed.Where(f => f.Resolution is null))
            {
                if (links.Contains(failed.Attempt.Email))
                {
                    failed.Resolution = "went through";
                }
                else if (failed.LastTried is not { } tried || log.Now - tried >= FreeAgainTry)
                {
                    failed.LastTried = log.Now;
                    if (await RegisterAnewAsync(failed.Attempt, $"fault-x{++_others}@example.jp", new IPAddress([127, 12, (byte)(_others / 250), (byte)(_others % 250 + 1)])))
                    {
                        // Younger than the repair's 10 minutes, the gateway was never held; older, the repair may have released it.
                        failed.Resolution = log.Now - failed.Attempt.At < TimeSpan.FromMinutes(10) ? "never held" : "free after the repair window";
                    }
                }

                if (failed.Resolution is null && log.Now - failed.Attempt.At > FaultsBench.RepairWindow)
                {
                    var retried = await RegisterAnewAsync(failed.Attempt, failed.Attempt.Email, failed.Attempt.From);
                    failed.Resolution = "stuck";
                    Violations.Add($"{failed.Attempt.Gateway.Id}: registration by {failed.Attempt.Email} ({failed.Attempt.Phase}) failed, no link came and the gateway was still held {FaultsBench.RepairWindow.TotalMinutes} min later (its user's retry {(retried ? "was accepted" : "failed too")})");
                }
            }

            if (_failed.All(f => f.Resolution is not null) && log.Now >= heldMessagesBack)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(20));
        }
    }

    public async Task CheckAsync()
    {
        // Let the mails of the settle step's registrations arrive.
        await WaitForAsync(() => MissingMails() == 0 ? "" : null, TimeSpan.FromMinutes(2));
        CheckRequests();
        CheckMails();
        await CheckLinksAndSessionsAsync();
        await CheckTelemetryAsync();
    }

    private async Task<bool> RegisterAnewAsync(RegistrationAttempt failed, string email, IPAddress from)
    {
        var accepted = await users.RegisterAsync(from, email, failed.Gateway);
        if (accepted)
        {
            _settleRegistrations.Add(new RegistrationAttempt("settle", email, from, failed.Gateway, log.Now, true));
        }

        return accepted;
    }

    private void CheckRequests()
    {
        // The settle step's own requests (registrations of held gateways, the checks) may be refused by design.
        var answers = log.Results.Where(r => r.Phase != "settle" || r.Kind == "telemetry");
        foreach (var result in answers.Where(r => r.Outcome is Outcome.Other or Outcome.Hang
            || (r.Outcome == Outcome.ConnectionError && !log.OverlapsAppDown(r))))
        {
            Violations.Add($"{result.Phase}: {result.Kind} at {result.Start.TotalSeconds:F1} s: {result.Outcome} {result.Detail}".Trim());
        }
    }

    /// <summary>Per address and kind: the mails the accepted requests promised, the ones failed requests may have caused.</summary>
    private List<(string Phase, string To, string Kind, int Promised, int MayHave)> Expectations()
    {
        var registrations = load.Registrations.Concat(_settleRegistrations)
            .Select(r => (r.Phase, To: r.Email, Kind: "activation", r.Accepted));
        var requests = load.MailRequests.Select(r => (r.Phase, To: r.Email, Kind: r.MailKind, r.Accepted));
        return registrations.Concat(requests)
            .GroupBy(r => (To: r.To.ToLowerInvariant(), r.Kind))
            .Select(g => (g.First().Phase, g.Key.To, g.Key.Kind, g.Count(r => r.Accepted), g.Count(r => !r.Accepted)))
            .ToList();
    }

    private int MissingMails()
    {
        var delivered = DeliveredMail.ReadAll(mailFolder).DistinctBy(m => m.Id).ToLookup(m => (m.To.ToLowerInvariant(), m.Kind));
        return Expectations().Sum(e => Math.Max(0, e.Promised - delivered[(e.To, e.Kind)].Count()));
    }

    private void CheckMails()
    {
        var all = DeliveredMail.ReadAll(mailFolder);
        foreach (var twice in all.GroupBy(m => m.Id).Where(g => g.Count() > 1))
        {
            Violations.Add($"mail {twice.Key} ({twice.First().Kind} to {twice.First().To}) delivered {twice.Count()} times");
        }

        var byAddress = all.GroupBy(m => (m.To.ToLowerInvariant(), m.Kind)).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (phase, to, kind, promised, mayHave) in Expectations())
        {
            var mails = byAddress.GetValueOrDefault((to, kind)) ?? [];
            var distinct = mails.DistinctBy(m => m.Id).Count();
            var (missing, extra) = (Math.Max(0, promised - distinct), Math.Max(0, distinct - promised - mayHave));
            if (missing > 0 || extra > 0)
            {
                Violations.Add($"{phase}: {kind} mails to {to}: {promised} promised by accepted requests, {mayHave} more possible from failed ones, {distinct} delivered");
            }

            var row = _mails.GetValueOrDefault(phase);
            _mails[phase] = (row.Promised + promised, row.Delivered + distinct, row.Duplicates + mails.Count - distinct, row.Missing + missing, row.Extra + extra);
        }
    }

    /// <summary>Every accepted registration's newest link opens its account; every session a login returned still works.</summary>
    private async Task CheckLinksAndSessionsAsync()
    {
        var newestLinks = DeliveredMail.ReadAll(mailFolder).Where(m => m.Kind == "activation")
            .GroupBy(m => m.To.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Last().Token);
        foreach (var registration in load.Registrations.Where(r => r.Accepted))
        {
            var token = newestLinks.GetValueOrDefault(registration.Email.ToLowerInvariant());
            var opens = token is not null && await users.GetAsync(registration.From, "api/activations/" + token, null) is not null;
            var row = _links.GetValueOrDefault(registration.Phase);
            _links[registration.Phase] = (row.Checked + 1, row.Failed + (opens ? 0 : 1));
            if (!opens)
            {
                Violations.Add($"{registration.Phase}: registration of {registration.Gateway.Id} by {registration.Email} was accepted but its newest link does not open the account");
            }
        }

        var ownerAddresses = owners.ToDictionary(o => o.Email);
        foreach (var (phase, email, session) in load.Sessions)
        {
            var works = await users.GetAsync(ownerAddresses[email].From, "api/me", session) is not null;
            var row = _sessions.GetValueOrDefault(phase);
            _sessions[phase] = (row.Checked + 1, row.Failed + (works ? 0 : 1));
            if (!works)
            {
                Violations.Add($"{phase}: a login of {email} was answered 200 but its session does not work");
            }
        }
    }

    /// <summary>
    /// Each gateway's status shows its last event, and each 5-minute point of its history counts every event sent in
    /// the bucket exactly once (from the marker's average, see <see cref="SendingGateway"/>) with the load average of exactly those events.
    /// </summary>
    private async Task CheckTelemetryAsync()
    {
        foreach (var gateway in sending)
        {
            var owner = gateway.Owner;
            var sent = gateway.Sent;
            _telemetry.Sent += sent.Count;
            _telemetry.Unsent += gateway.Unsent;
            var last = sent[^1].Reading;
            var status = await users.GetAsync(owner.From, $"api/gateways/{owner.Gateway.Id}/status", owner.Session);
            if (status is not { } shown || shown.GetProperty("ts").GetDateTimeOffset() != DateTimeOffset.FromUnixTimeSeconds(last.Ts.ToUnixTimeSeconds())
                || shown.GetProperty("loadW").GetDouble() != last.LoadW)
            {
                Violations.Add($"{owner.Gateway.Id}: the status does not show its last event ({last.Ts:O})");
            }

            var from = sent[0].Reading.Ts.UtcDateTime.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:00Z", CultureInfo.InvariantCulture);
            var to = last.Ts.UtcDateTime.AddMinutes(5).ToString("yyyy-MM-ddTHH:mm:00Z", CultureInfo.InvariantCulture);
            var history = await users.GetAsync(owner.From, $"api/gateways/{owner.Gateway.Id}/history?from={from}&to={to}&resolution=5m", owner.Session);
            var points = history?.GetProperty("points").EnumerateArray()
                .ToDictionary(p => "5m-" + p.GetProperty("ts").GetDateTimeOffset().UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)) ?? [];
            foreach (var bucket in sent.GroupBy(e => e.Bucket))
            {
                _telemetry.Buckets++;
                var expectedLoad = bucket.Average(e => e.Reading.LoadW);
                var counted = points.TryGetValue(bucket.Key, out var point) && point.GetProperty("evW").GetDouble() is > 0 and var marker
                    ? (int)Math.Round(SendingGateway.MarkerW / marker)
                    : 0;
                _telemetry.Applied += counted;
                _telemetry.Duplicates += Math.Max(0, counted - bucket.Count());
                _telemetry.Missing += Math.Max(0, bucket.Count() - counted);
                if (counted != bucket.Count() || Math.Abs(point.GetProperty("loadW").GetDouble() - expectedLoad) > 1e-6 * Math.Max(1, Math.Abs(expectedLoad)))
                {
                    _telemetry.Mismatched++;
                    Violations.Add($"{owner.Gateway.Id} {bucket.Key}: {bucket.Count()} events sent, {counted} counted (load average {(counted > 0 ? point.GetProperty("loadW").GetDouble() : double.NaN):F3} W, expected {expectedLoad:F3} W)");
                }
            }
        }

        if (_telemetry.Unsent > 0)
        {
            Violations.Add($"telemetry: {_telemetry.Unsent} events still not accepted 3 minutes after the load stopped");
        }
    }

    public void Print()
    {
        var phases = log.Results.Select(r => r.Phase).Distinct().ToList();
        Console.WriteLine();
        Console.WriteLine("| phase | fault | API requests | 2xx | 503 + Retry-After | refused (app down) | other | p50 / p95 during the fault | recovered after | mails promised / delivered / duplicates / missing | links open | sessions work | telemetry sends (2xx / 503 / refused) | events made |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var phase in phases)
        {
            var api = log.Results.Where(r => r.Phase == phase && UserKinds.Contains(r.Kind)).ToList();
            var telemetry = log.Results.Where(r => r.Phase == phase && r.Kind == "telemetry").ToList();
            var fault = faults.FirstOrDefault(f => f.Phase == phase);
            var during = fault is null ? [] : api.Where(r => r.Start >= fault.From && r.Start <= fault.To).Select(r => r.Duration.TotalMilliseconds).ToList();
            var recovered = fault is null ? null : api.Where(r => r.Start >= fault.To && r.Outcome == Outcome.Success).Select(r => (TimeSpan?)(r.Start - fault.To)).Min();
            var mails = _mails.GetValueOrDefault(phase);
            var links = _links.GetValueOrDefault(phase);
            var sessions = _sessions.GetValueOrDefault(phase);
            Console.WriteLine(string.Join(" | ", [
                "| " + phase,
                fault is null ? "–" : $"{(fault.To - fault.From).TotalSeconds:F1} s",
                api.Count.ToString(CultureInfo.InvariantCulture),
                Count(api, Outcome.Success),
                Count(api, Outcome.Unavailable),
                Count(api, Outcome.ConnectionError),
                (Count(api, Outcome.Other, Outcome.Hang)),
                during.Count == 0 ? "–" : $"{Measurement.Percentile(during, 0.5) / 1000:F2} / {Measurement.Percentile(during, 0.95) / 1000:F2} s ({during.Count})",
                recovered is { } r ? $"{r.TotalSeconds:F1} s" : "–",
                $"{mails.Promised} / {mails.Delivered} / {mails.Duplicates} / {mails.Missing}",
                $"{links.Checked - links.Failed}/{links.Checked}",
                $"{sessions.Checked - sessions.Failed}/{sessions.Checked}",
                $"{Count(telemetry, Outcome.Success)} / {Count(telemetry, Outcome.Unavailable)} / {Count(telemetry, Outcome.ConnectionError)}",
                sending.Sum(g => g.Sent.Count(e => e.Phase == phase)).ToString(CultureInfo.InvariantCulture) + " |",
            ]));
        }

        Console.WriteLine();
        var settled = _failed.GroupBy(f => f.Resolution ?? "unsettled").Select(g => $"{g.Count()} {g.Key}");
        Console.WriteLine($"  registrations answered otherwise than 202: {_failed.Count} ({string.Join(", ", settled)})");
        Console.WriteLine($"  telemetry: {_telemetry.Sent} events sent, {_telemetry.Applied} counted, {_telemetry.Duplicates} counted twice, {_telemetry.Missing} missing, {_telemetry.Mismatched} of {_telemetry.Buckets} 5-minute points wrong");
        Console.WriteLine($"  mails in the dev mailbox: {DeliveredMail.ReadAll(mailFolder).Count}");
        Console.WriteLine(Violations.Count == 0 ? "  invariants: all hold" : $"  invariants broken ({Violations.Count}):");
        foreach (var violation in Violations.Take(40))
        {
            Console.WriteLine("    " + violation);
        }
    }

    private static string Count(IEnumerable<RequestResult> results, params Outcome[] outcomes) =>
        results.Count(r => outcomes.Contains(r.Outcome)).ToString(CultureInfo.InvariantCulture);
}
