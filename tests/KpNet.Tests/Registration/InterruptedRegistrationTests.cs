using System.Net;
using KpNet.Access;
using KpNet.Accounts;
using KpNet.Hosting;
using KpNet.Hosting.Invocation;
using KpNet.Notifications;
using KpNet.Registration;
using KpNet.Tests.Accounts;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Registration.RegistrationClient;

namespace KpNet.Tests.Registration;

/// <summary>
/// Storage failing at each step of a registration in turn (the step's table is missing: every write to it fails, as in an
/// outage of that step, until the queue gives the registration's queued part up), then the repair: nothing half-done
/// holds the gateway.
/// Each test has a storage account of its own, since it removes tables.
/// </summary>
public sealed class InterruptedRegistrationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private TestApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync(await AzuriteFixture.LeaseAccountAsync(), configure: b => b.Services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private StorageAccount Storage => _app.Services.GetRequiredService<StorageAccount>();

    /// <summary>
    /// Registers with the step writing to <paramref name="table"/> failing: the request answers once the gateway is
    /// claimed, and its queued part fails every try until the queue gives it up.
    /// </summary>
    private async Task<HttpResponseMessage> RegisterFailingAtAsync(string table, string email, string gatewayId)
    {
        await Storage.GetTableClient(table).DeleteAsync();
        var response = await RegisterAsync(_app, Body(email, gatewayId));
        var poison = Storage.GetQueueClient(MailRequests.QueueName + "-poison");
        await Eventually.ReturnsAsync(
            async () => (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount, count => count > 0,
            what: "the queued part of the registration to be given up");
        await Storage.GetTableClient(table).CreateIfNotExistsAsync();
        return response;
    }

    private async Task RepairAfterAsync(TimeSpan wait)
    {
        _clock.Advance(wait);
        var repair = await _app.InvokeAsync(RepairInterruptedRegistrationsFunction.Name, """{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""");
        Assert.Equal(InvocationOutcome.Succeeded, repair.Outcome);
    }

    [Theory]
    [InlineData(AccountStore.TableName)]
    [InlineData(CustomerSites.TableName)]
    public async Task A_registration_stopped_before_its_account_and_site_were_written_frees_the_gateway_within_minutes(string failingTable)
    {
        var gatewayId = await ImportGatewayAsync(_app);
        var first = TestAccounts.UniqueEmail();

        using var failed = await RegisterFailingAtAsync(failingTable, first, gatewayId);
        using var meanwhile = await RegisterAsync(_app, Body(TestAccounts.UniqueEmail(), gatewayId));
        await RepairAfterAsync(InterruptedRegistrations.SettledAfter + TimeSpan.FromMinutes(1));
        var second = TestAccounts.UniqueEmail();
        using var afterRepair = await RegisterAsync(_app, Body(second, gatewayId));

        Assert.Equal(HttpStatusCode.Accepted, failed.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, meanwhile.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, afterRepair.StatusCode);
        Assert.Null(await _app.Services.GetRequiredService<AccountStore>().FindByEmailAsync(first, CancellationToken.None));
        await WaitForMailsAsync(_app, second);
        Assert.Empty(await MailsToAsync(_app, first));
    }

    [Fact]
    public async Task A_registration_whose_queued_part_runs_after_the_repair_freed_its_gateway_still_gets_its_account_and_link()
    {
        // Its own account: the instance that takes the request runs no triggers, as if it died holding the queued part.
        var storage = await AzuriteFixture.LeaseAccountAsync();
        await using var held = await TestApp.StartHostedAsync(storage, configure: b => b.Services.AddSingleton<TimeProvider>(_clock));
        var gatewayId = await ImportGatewayAsync(held);
        var email = TestAccounts.UniqueEmail();
        using var accepted = await RegisterAsync(held, Body(email, gatewayId));
        _clock.Advance(InterruptedRegistrations.SettledAfter + TimeSpan.FromMinutes(1));
        var repair = await held.InvokeAsync(RepairInterruptedRegistrationsFunction.Name, """{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""");
        Assert.Equal(InvocationOutcome.Succeeded, repair.Outcome);
        Assert.Null(await held.Services.GetRequiredService<GatewayClaims>().FindAsync(gatewayId, CancellationToken.None));

        await using var live = await TestApp.StartAsync(storage, configure: b => b.Services.AddSingleton<TimeProvider>(_clock));
        var link = Assert.Single(await WaitForMailsAsync(live, email));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var account = await live.Services.GetRequiredService<AccountStore>().FindByEmailAsync(email, CancellationToken.None);
        Assert.Equal(account!.UserId, (await live.Services.GetRequiredService<GatewayClaims>().FindAsync(gatewayId, CancellationToken.None))!.OwnerUserId);
        Assert.Equal(HttpStatusCode.OK, (await ActivateAsync(live, TokenIn(link))).StatusCode);
    }

    [Fact]
    public async Task A_registration_that_ended_or_is_still_young_is_left_alone()
    {
        var gatewayId = await ImportGatewayAsync(_app);
        var email = TestAccounts.UniqueEmail();
        using var registered = await RegisterAsync(_app, Body(email, gatewayId));
        await WaitForMailsAsync(_app, email);

        await RepairAfterAsync(InterruptedRegistrations.SettledAfter + TimeSpan.FromMinutes(1));

        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        Assert.Single(await MailsToAsync(_app, email));
        Assert.NotNull(await _app.Services.GetRequiredService<GatewayClaims>().FindAsync(gatewayId, CancellationToken.None));
    }
}
