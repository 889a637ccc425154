using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using KpNet.Access;
using KpNet.Inventory;
using KpNet.Notifications;
using KpNet.Registration;
using KpNet.Security;
using KpNet.Tests.Accounts;
using KpNet.Tests.Registration;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StoppedClock = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace KpNet.Tests.Security;

/// <summary>
/// Nothing the caller of a mail request can observe tells a registered address from an unknown one: the answers are the
/// same bytes, and the request did the same storage calls, call by call (its client's limit and one queued request), so it
/// takes the same time too; who is registered is looked up later, by the queue's function. Proven from the calls the app
/// makes to storage (recorded by a proxy), never by timing. The app runs as under the Functions host, so no local trigger
/// handles the queue meanwhile and every call recorded is the request's own.
/// </summary>
public sealed class AccountEnumerationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    public static readonly TheoryData<MailRequestKind> Kinds = new(Enum.GetValues<MailRequestKind>());

    // Stopped, so that answers holding a deadline (now + 72 h) are compared byte for byte.
    private readonly StoppedClock _clock = new(DateTimeOffset.UtcNow);
    private RecordingStorageProxy _storage = null!;
    private TestApp _app = null!;

    private QueueClient MailRequestQueue => TestQueues.Queue(azurite.ConnectionString, MailRequests.QueueName);

    public async Task InitializeAsync()
    {
        _storage = await RecordingStorageProxy.StartAsync(azurite.ConnectionString);
        _app = await TestApp.StartHostedAsync(_storage.ConnectionString, configure: builder => builder.Services.AddSingleton<TimeProvider>(_clock));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _storage.DisposeAsync();
    }

    /// <summary>What a caller sees of an answer: status, headers but Date, and the body's bytes.</summary>
    private sealed record Answer(int Status, string Headers, string Body);

    /// <summary>A request naming <c>Subject</c> (the address or phone it asks about) and what it did.</summary>
    private sealed record Recorded(string Subject, Answer Answer, IReadOnlyList<RecordingStorageProxy.StorageCall> Calls);

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_registered_and_an_unknown_address_get_the_same_bytes_after_the_same_storage_calls_and_one_queued_request(MailRequestKind kind)
    {
        var (registered, unknown) = await SubjectsAsync(kind);

        var forRegistered = await RequestAsync(kind, registered);
        var forUnknown = await RequestAsync(kind, unknown);

        Assert.Equal(forRegistered.Answer, forUnknown.Answer);
        Assert.Equal(forRegistered.Calls.Select(c => (c.Method, c.Resource)), forUnknown.Calls.Select(c => (c.Method, c.Resource)));
        foreach (var recorded in new[] { forRegistered, forUnknown })
        {
            var queued = Assert.Single(recorded.Calls, c => c.MessageText is not null);
            Assert.Equal(MailRequests.QueueName, queued.Resource);
            Assert.Contains(recorded.Subject, queued.MessageText, StringComparison.Ordinal);
            Assert.Equal(RequestPathTables(kind), recorded.Calls.Where(c => c != queued).Select(c => c.Resource).Distinct().Order());
        }

        Assert.Equal(MessageShape(forRegistered), MessageShape(forUnknown));
        await ForgetQueuedAsync(forRegistered, forUnknown);
    }

    /// <summary>What the request path may touch besides its queued request: never an account.</summary>
    private static string[] RequestPathTables(MailRequestKind kind) => kind == MailRequestKind.Registration
        ? [.. new[] { Throttle.TableName, GatewayInventory.TableName, RegistrationExpiries.TableName, InterruptedRegistrations.TableName, GatewayClaims.TableName }.Order()]
        : [Throttle.TableName];

    /// <summary>The queued message's JSON paths and value kinds.</summary>
    private static string[] MessageShape(Recorded recorded)
    {
        using var message = JsonDocument.Parse(recorded.Calls.Single(c => c.MessageText is not null).MessageText!);
        return [.. Paths(message.RootElement, "$")];

        static IEnumerable<string> Paths(JsonElement element, string path) => element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Paths(p.Value, path + "." + p.Name)),
            JsonValueKind.Array => element.EnumerateArray().SelectMany((e, i) => Paths(e, $"{path}[{i}]")),
            _ => [$"{path}: {element.ValueKind}"],
        };
    }

    /// <summary>An address (a phone number for the user ID) that has what the request looks for, and one nobody has.</summary>
    private async Task<(string Registered, string Unknown)> SubjectsAsync(MailRequestKind kind)
    {
        switch (kind)
        {
            case MailRequestKind.ActivationLink:
                return ((await TestAccounts.CreateProvisionalAsync(_app)).Email, TestAccounts.UniqueEmail("nobody"));
            case MailRequestKind.DealerSignUp or MailRequestKind.Registration:
                return ((await TestAccounts.CreateActiveAsync(_app)).Account.Email, TestAccounts.UniqueEmail("dealer"));
            case MailRequestKind.AccountId:
                var phone = TestAccounts.UniquePhone();
                await TestAccounts.CreateActiveAsync(_app, phone: phone);
                return (phone, TestAccounts.UniquePhone());
            default:
                return ((await TestAccounts.CreateActiveAsync(_app)).Account.Email, TestAccounts.UniqueEmail("nobody"));
        }
    }

    /// <summary>The request from a client of its own (so both start from the same, empty, client counts), recorded.</summary>
    private async Task<Recorded> RequestAsync(MailRequestKind kind, string subject)
    {
        var (path, body) = kind switch
        {
            MailRequestKind.Registration => ("/api/accounts", (object)RegistrationClient.Body(subject, await RegistrationClient.ImportGatewayAsync(_app))),
            MailRequestKind.PasswordReset => ("/api/password-resets", new { email = subject }),
            MailRequestKind.ActivationLink => ("/api/activations", new { email = subject }),
            MailRequestKind.DealerSignUp => ("/api/dealers", GatewayTestClient.DealerBody(subject, "0120444444", "京都電設", ["staff@example.jp"])),
            _ => ("/api/account-ids/recovery", new { name = new { family = "御室", given = "花子" }, phone = subject }),
        };
        using var client = LoopbackClient.Create(_app.BaseAddress);
        _storage.Clear();
        using var response = await client.PostAsJsonAsync(path, body);
        var calls = _storage.Calls;
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key != "Date")
            .Select(h => $"{h.Key}: {string.Join(", ", h.Value)}")
            .Order(StringComparer.Ordinal);
        return new Recorded(subject, new Answer((int)response.StatusCode, string.Join("\n", headers), await response.Content.ReadAsStringAsync()), calls);
    }

    /// <summary>Takes this test's requests off the shared queue, so the next test's app does not handle them.</summary>
    private async Task ForgetQueuedAsync(params Recorded[] requests)
    {
        foreach (var message in (await MailRequestQueue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(1))).Value)
        {
            if (requests.Any(r => message.Body.ToString().Contains(r.Subject, StringComparison.Ordinal)))
            {
                await MailRequestQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }
}
