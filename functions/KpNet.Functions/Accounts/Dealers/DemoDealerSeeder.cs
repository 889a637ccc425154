using System.Text.Json;
using KpNet.Accounts;
using KpNet.Accounts.Activation;
using KpNet.Configuration;
using KpNet.Http;
using KpNet.Http.Forms;
using Microsoft.Extensions.Options;

namespace KpNet.Accounts.Dealers;

/// <summary>A demo dealer's sign-up data and login, as README and run.sh list them.</summary>
public sealed record DemoDealer(string Name, string Email, string Password, string Phone);

/// <summary>
/// Local mode with DemoData__Dealers=true: the two demo dealers, signed up and activated through the real sign-up and
/// activation code (so they get dealer IDs 4001 and 4002 on a fresh store). Idempotent: an active one is left alone.
/// </summary>
public sealed class DemoDealerSeeder(
    IOptions<DemoDataOptions> demoData, AccountStore accounts, DealerRegistrar registrar, ActivationLinks links, ActivationTokens tokens,
    AccountActivation activation, TimeProvider time, ILogger<DemoDealerSeeder> logger) : BackgroundService
{
    public static readonly IReadOnlyList<DemoDealer> Dealers =
    [
        new("デモ販売店1 京都電設", "dealer1@kpnet.example.jp", "DemoDealer1", "090-0000-4001"),
        new("デモ販売店2 大阪ソーラー", "dealer2@kpnet.example.jp", "DemoDealer2", "090-0000-4002"),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!demoData.Value.Dealers)
        {
            return;
        }

        foreach (var demo in Dealers)
        {
            if (await accounts.FindByEmailAsync(demo.Email, stoppingToken) is null)
            {
                await registrar.SignUpAsync(SignUpOf(demo), "ja", links.NewExpiry(), stoppingToken);
            }

            var account = await accounts.FindByEmailAsync(demo.Email, stoppingToken)
                ?? throw new InvalidOperationException("The demo dealer's account vanished after its sign-up.");
            if (account.Status == AccountStatus.Provisional)
            {
                account = await ActivateAsync(account, demo, stoppingToken);
            }

            logger.DemoDealerReady(demo.Email, account.DealerId);
        }
    }

    private async Task<Account> ActivateAsync(Account account, DemoDealer demo, CancellationToken cancellationToken)
    {
        if (account.ActivationExpiresAt <= time.GetUtcNow())
        {
            await links.ReissueAsync(account, ActivationKind.Dealer, cancellationToken);
            account = (await accounts.FindByEmailAsync(demo.Email, cancellationToken))!;
        }

        // The dealer would follow the mailed link; the seeder holds its own link to the same activation.
        var token = await tokens.IssueAsync(account.Email, ActivationKind.Dealer, account.ActivationExpiresAt!.Value, cancellationToken);
        var form = new JsonForm(JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["termsVersion"] = TermsOfUse.Version,
            ["password"] = demo.Password,
            ["passwordConfirm"] = demo.Password,
            ["phone"] = demo.Phone,
        }), new ValidationErrors());
        if (await activation.ActivateAsync(token, form, cancellationToken) is ActivationOutcome.Activated { Account: var activated })
        {
            return activated;
        }

        logger.DemoDealerFailed(demo.Email, "activation refused");
        return account;
    }

    private static DealerSignUp SignUpOf(DemoDealer demo) => new(
        TermsOfUse.Version, demo.Name, demo.Email, PhoneNumber.Digits(demo.Phone),
        new PostalAddress("600-8530", "京都府", "京都市下京区", "堀川通1-2"), [demo.Email]);
}
