using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Security;
using KpNet.Tests.Accounts;
using KpNet.Tests.Accounts.Recovery;
using KpNet.Tests.Registration;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KpNet.Tests.Security;

/// <summary>The one limit on the five endpoints that mail someone on an anonymous request (<see cref="MailRequestLimits"/>).</summary>
public sealed class MailRequestLimitTests : IAsyncLifetime
{
    public static readonly TheoryData<MailRequestKind> Kinds = new(Enum.GetValues<MailRequestKind>());

    private readonly CapturedLogs _logs = new();
    private string _storage = "";
    private TestApp _app = null!;

    // An account of each test's own: a test waits until every queued mail is handled, so only its own may be queued.
    public async Task InitializeAsync()
    {
        _storage = await AzuriteFixture.LeaseAccountAsync();
        _app = await TestApp.StartAsync(_storage, configure: builder => builder.Logging.AddProvider(_logs.CreateProvider()));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A request to the endpoint that mails <c>Recipient</c> each time it is made (until the limits stop it).</summary>
    private sealed record MailingRequest(string Path, object Body, Account Recipient);

    private async Task<MailingRequest> MailingRequestAsync(MailRequestKind kind)
    {
        var accounts = _app.Services.GetRequiredService<AccountStore>();
        switch (kind)
        {
            case MailRequestKind.Registration:
            {
                // Registering the same gateway again with the same address is a retry: each one mails a fresh link.
                var email = RegistrationClient.UniqueEmail();
                var body = RegistrationClient.Body(email, await RegistrationClient.ImportGatewayAsync(_app));
                using var first = await RegistrationClient.RegisterAsync(_app, body);
                Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
                await RegistrationClient.WaitForMailsAsync(_app, email);
                return new("/api/accounts", body, (await accounts.FindByEmailAsync(email, CancellationToken.None))!);
            }

            case MailRequestKind.DealerSignUp:
            {
                var (dealer, _) = await TestAccounts.CreateActiveAsync(_app, AccountRole.Dealer);
                return new("/api/dealers", GatewayTestClient.DealerBody(dealer.Email, TestAccounts.UniquePhone(), "京都電設"), dealer);
            }

            case MailRequestKind.ActivationLink:
            {
                var provisional = await TestAccounts.CreateProvisionalAsync(_app);
                return new("/api/activations", new { email = provisional.Email }, provisional);
            }

            case MailRequestKind.PasswordReset:
            {
                var (active, _) = await TestAccounts.CreateActiveAsync(_app);
                return new("/api/password-resets", new { email = active.Email }, active);
            }

            default:
            {
                var phone = TestAccounts.UniquePhone();
                var (active, _) = await TestAccounts.CreateActiveAsync(_app, phone: phone);
                return new("/api/account-ids/recovery", new { name = new { family = active.Name.Family, given = active.Name.Given }, phone }, active);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_client_past_twenty_requests_in_fifteen_minutes_gets_429_with_retry_after_and_other_clients_do_not(MailRequestKind kind)
    {
        var request = await MailingRequestAsync(kind);
        using var client = TestAccounts.NewClient(_app);
        using var other = TestAccounts.NewClient(_app);

        for (var i = 0; i < 20; i++)
        {
            using var accepted = await client.PostAsJsonAsync(request.Path, request.Body);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using var refused = await client.PostAsJsonAsync(request.Path, request.Body);
        using var otherClient = await other.PostAsJsonAsync(request.Path, request.Body);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.Accepted, otherClient.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Past_three_mails_an_hour_to_one_address_requests_are_answered_alike_send_nothing_and_log_no_address(MailRequestKind kind)
    {
        var request = await MailingRequestAsync(kind);
        var mailsBefore = (await MailsToAsync(request.Recipient.Email)).Count;
        using var client = TestAccounts.NewClient(_app);

        var answers = new List<(HttpStatusCode Status, string Members)>();
        for (var i = mailsBefore; i < 4; i++)
        {
            using var response = await client.PostAsJsonAsync(request.Path, request.Body);
            var body = await response.Content.ReadAsStringAsync();
            answers.Add((response.StatusCode, body.Length == 0 ? "" : string.Join(",", JsonDocument.Parse(body).RootElement.EnumerateObject().Select(p => p.Name))));
        }

        await Eventually.ReturnsAsync(() => MailsToAsync(request.Recipient.Email), mails => mails.Count >= 3, what: "three mails");
        await DevMail.AllHandledAsync(_storage);

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.Accepted, answers[0].Members), (a.Status, a.Members)));
        Assert.Equal(3, (await MailsToAsync(request.Recipient.Email)).Count);
        var limitReached = Assert.Single(_logs.Entries, e => e.EventId.Name == "MailLimitReached");
        Assert.Equal(kind.ToString(), limitReached.Values["Kind"]?.ToString());
        Assert.Equal(request.Recipient.UserId, limitReached.Values["UserId"]);
        Assert.DoesNotContain(_logs.Entries, e => e.Message.Contains(request.Recipient.Email, StringComparison.OrdinalIgnoreCase)
            || e.Message.Contains(request.Recipient.Phone, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mails_to_one_address_counted_at_the_same_moment_never_pass_the_limit()
    {
        var recipient = await TestAccounts.CreateProvisionalAsync(_app);
        var limits = _app.Services.GetRequiredService<MailRequestLimits>();

        var allowed = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => limits.MayMailAsync(recipient.Email, recipient.UserId, MailRequestKind.ActivationLink, CancellationToken.None)));

        Assert.Equal(MailRequestLimits.PerRecipient.Limit, allowed.Count(a => a));
    }

    private async Task<List<DevMail.Mail>> MailsToAsync(string address) =>
        (await DevMail.ListAsync(_app)).Where(m => string.Equals(m.To, address, StringComparison.OrdinalIgnoreCase)).ToList();
}
