using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Registration;

namespace KpNet.Bench.Faults;

/// <summary>A gateway's sheet: what its buyer types to register it.</summary>
public sealed record GatewaySheet(string Id, string Password);

/// <summary>A customer whose account was activated before the faults: logs in, asks for password resets, owns a sending gateway.</summary>
public sealed record Owner(int Number, string Email, IPAddress From, GatewaySheet Gateway)
{
    public string? Session { get; set; }
}

public sealed record RegistrationAttempt(string Phase, string Email, IPAddress From, GatewaySheet Gateway, TimeSpan At, bool Accepted);

/// <summary>A request for a mail (new activation link, password reset) and whether it was accepted (202).</summary>
public sealed record MailRequestAttempt(string Phase, string Email, string MailKind, bool Accepted);

/// <summary>
/// What users do over the public API, each user from a loopback address of its own (per-client limits count per
/// address, as they would count per household), every request recorded in the <see cref="RequestLog"/>.
/// </summary>
public sealed class Users(Uri baseAddress, RequestLog log)
{
    public const string Password = "Passw0rdKp";
    public const string Phone = RegistrationClient.Phone;

    private readonly ConcurrentDictionary<IPAddress, HttpClient> _clients = new();

    public HttpClient ClientFor(IPAddress from) => _clients.GetOrAdd(from, address => LoopbackClient.Create(baseAddress, from: address));

    public async Task<bool> RegisterAsync(IPAddress from, string email, GatewaySheet gateway) =>
        await SucceedsAsync(from, "registration", HttpMethod.Post, "api/accounts", RegistrationClient.Body(email, gateway.Id, gateway.Password));

    public async Task<bool> RequestActivationLinkAsync(IPAddress from, string email) =>
        await SucceedsAsync(from, "activation link", HttpMethod.Post, "api/activations", new JsonObject { ["email"] = email });

    public async Task<bool> RequestPasswordResetAsync(IPAddress from, string email) =>
        await SucceedsAsync(from, "password reset", HttpMethod.Post, "api/password-resets", new JsonObject { ["email"] = email });

    public async Task<bool> ActivateAsync(IPAddress from, string token) =>
        await SucceedsAsync(from, "activation", HttpMethod.Post, "api/activations/" + token, new JsonObject
        {
            ["termsVersion"] = "2026-01", ["password"] = Password, ["passwordConfirm"] = Password, ["phone"] = Phone,
        });

    /// <summary>The session token, or null when the login was not answered 200.</summary>
    public async Task<string?> LoginAsync(IPAddress from, string email) =>
        await ReadAsync(from, "login", HttpMethod.Post, "api/sessions", new JsonObject { ["email"] = email, ["password"] = Password }, null,
            json => json.GetProperty("token").GetString());

    /// <summary>The gateway's publisher endpoint and SAS token.</summary>
    public async Task<(Uri Endpoint, string Token)?> TelemetryTokenAsync(IPAddress from, GatewaySheet gateway) =>
        await ReadAsync<(Uri, string)?>(from, "telemetry token", HttpMethod.Post, "api/gateway-api/telemetry-token",
            new JsonObject { ["id"] = gateway.Id, ["password"] = gateway.Password }, null,
            json => (new Uri(json.GetProperty("endpoint").GetString()!), json.GetProperty("token").GetString()!));

    /// <summary>A GET with the session, for the checks after the run; the JSON, or null when it was not 200.</summary>
    public async Task<JsonElement?> GetAsync(IPAddress from, string path, string? session) =>
        await ReadAsync<JsonElement?>(from, "check", HttpMethod.Get, path, null, session, json => json.Clone());

    private async Task<bool> SucceedsAsync(IPAddress from, string kind, HttpMethod method, string path, JsonObject body)
    {
        using var response = await log.SendAsync(ClientFor(from), kind, Request(method, path, body, null));
        return response is not null;
    }

    private async Task<T?> ReadAsync<T>(IPAddress from, string kind, HttpMethod method, string path, JsonObject? body, string? session, Func<JsonElement, T> read)
    {
        using var response = await log.SendAsync(ClientFor(from), kind, Request(method, path, body, session));
        if (response is null)
        {
            return default;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return read(json.RootElement);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, JsonObject? body, string? session)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (session is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session);
        }

        return request;
    }
}

/// <summary>
/// The bursts: every 1/rate seconds a user acts, whatever the earlier ones are waiting for (users do not wait for each
/// other): two of five new registrations, a new activation link for an earlier accepted registration whose first link
/// has arrived (before it, the account may not exist yet, and a link request for no account mails nothing), a password
/// reset of an owner allowed one in this phase, logins otherwise.
/// </summary>
public sealed class UserLoad(Users users, RequestLog log, IReadOnlyList<Owner> owners, IEnumerable<GatewaySheet> freeGateways, Func<string, bool> hasLink)
{
    private readonly ConcurrentQueue<GatewaySheet> _freeGateways = new(freeGateways);
    private readonly ConcurrentQueue<RegistrationAttempt> _linkCandidates = new();
    private ConcurrentQueue<Owner> _resetCandidates = new();
    private int _registrants;

    public ConcurrentBag<RegistrationAttempt> Registrations { get; } = [];

    public ConcurrentBag<MailRequestAttempt> MailRequests { get; } = [];

    /// <summary>Sessions from accepted logins: each must still work at the end.</summary>
    public ConcurrentBag<(string Phase, string Email, string Session)> Sessions { get; } = [];

    /// <summary>
    /// Each address is mailed at most 3 times an hour (README, Security), so an owner gets one reset request in the whole run
    /// and a registrant one new link: then even a failed request that went through cannot push an accepted one past the limit.
    /// </summary>
    public void AllowResets(IEnumerable<Owner> resetting) => _resetCandidates = new ConcurrentQueue<Owner>(resetting);

    public async Task RunAsync(double actionsPerSecond, CancellationToken stop)
    {
        var acting = new List<Task>();
        for (var tick = 0; !stop.IsCancellationRequested; tick++)
        {
            acting.Add(ActAsync(tick));
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1 / actionsPerSecond), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(acting);
    }

    private Task ActAsync(int tick) => (tick % 5) switch
    {
        0 or 3 => RegisterAsync(),
        2 when _linkCandidates.TryPeek(out var registration) && hasLink(registration.Email) && _linkCandidates.TryDequeue(out registration) => RequestLinkAsync(registration),
        4 when _resetCandidates.TryDequeue(out var owner) => RequestResetAsync(owner),
        _ => LoginAsync(owners[tick % owners.Count]),
    };

    private async Task RegisterAsync()
    {
        if (!_freeGateways.TryDequeue(out var gateway))
        {
            throw new InvalidOperationException("The bench's inventory ran out of gateways: raise its size.");
        }

        var number = Interlocked.Increment(ref _registrants);
        var email = $"fault-r{number}@example.jp";
        var from = new IPAddress([127, 11, (byte)(number / 250), (byte)(number % 250 + 1)]);
        var (phase, at) = (log.Phase, log.Now);
        var registration = new RegistrationAttempt(phase, email, from, gateway, at, await users.RegisterAsync(from, email, gateway));
        Registrations.Add(registration);
        if (registration.Accepted)
        {
            _linkCandidates.Enqueue(registration);
        }
    }

    private async Task RequestLinkAsync(RegistrationAttempt registration)
    {
        var phase = log.Phase;
        MailRequests.Add(new MailRequestAttempt(phase, registration.Email, "activation", await users.RequestActivationLinkAsync(registration.From, registration.Email)));
    }

    private async Task RequestResetAsync(Owner owner)
    {
        var phase = log.Phase;
        MailRequests.Add(new MailRequestAttempt(phase, owner.Email, "password-reset", await users.RequestPasswordResetAsync(owner.From, owner.Email)));
    }

    private async Task LoginAsync(Owner owner)
    {
        var phase = log.Phase;
        if (await users.LoginAsync(owner.From, owner.Email) is { } session)
        {
            Sessions.Add((phase, owner.Email, session));
        }
    }
}
