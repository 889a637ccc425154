using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Accounts;
using KpNet.Inventory;
using KpNet.Tests.Accounts;
using KpNet.Tests.Accounts.Recovery;
using KpNet.Tests.Registration;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.ApiContract;

/// <summary>
/// An independent tool attacks every operation of the committed contract: portman generates a request with valid data
/// for every operation and the variations that break it (<see cref="PortmanConfig"/>: its body fuzzed from the request
/// schema, sent as text, a token of no session, an unknown ID); newman sends them through prism, a validating proxy that
/// checks every answer of the app against the document. Every request must be answered by the app without a 5xx, with a
/// status code, content type and body the document declares; valid requests must succeed and the variations be refused.
/// The data are real: an activated customer, dealer and operator with their bearer tokens, their gateways, links,
/// telemetry, a notice and mailed tokens, all made through the app before the run.
/// </summary>
public sealed class ApiFuzzingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Every_operation_that_takes_a_body_or_path_parameters_has_valid_data_for_the_run()
    {
        var missing = PortmanConfig.OperationsWithoutData(await CommittedDocumentAsync());

        Assert.True(missing.Count == 0,
            $"Add valid data for {string.Join(", ", missing)} to api/portman/requests.json (variables: ApiFuzzingTests.RunDataAsync).");
    }

    [Fact]
    public async Task Every_operation_answers_valid_and_broken_requests_as_the_committed_document_says()
    {
        var work = Directory.CreateTempSubdirectory("kpnet-fuzz-");
        try
        {
            var document = await CommittedDocumentAsync();
            var collection = Path.Combine(work.FullName, "collection.json");
            var config = Path.Combine(work.FullName, "portman-config.json");
            await File.WriteAllTextAsync(config, PortmanConfig.Build(document).ToJsonString());
            var (exit, output) = await NodeTool.RunAsync("portman",
                ["-l", OpenApiContractTests.CommittedPath, "-c", config, "-s", Path.Combine(PortmanConfig.Folder, "postman-config.json"),
                 "-b", "{{baseUrl}}", "-o", collection, "--runNewman", "false"], work.FullName);
            Assert.True(exit == 0 && File.Exists(collection), $"portman did not generate the collection:\n{output}");
            WithoutCookies(collection);

            // As deployed: the support contact is configured (without it GET /api/support answers its documented 404).
            await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new Dictionary<string, string>
            {
                ["Support:Name"] = "KP-NET サポートセンター", ["Support:Phone"] = "0120-000-000", ["Support:Hours"] = "平日 9:00〜17:00",
            });
            var variables = await RunDataAsync(app, azurite.ConnectionString);

            var prismPort = FreeTcpPort.Next();
            using var prism = NodeTool.Start("prism",
                ["proxy", OpenApiContractTests.CommittedPath, app.BaseAddress.ToString().TrimEnd('/'), "--errors", "--validate-request", "false", "--verboseLevel", "warn",
                 "--host", "127.0.0.1", "--port", prismPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            try
            {
                await NodeTool.WaitForListenerAsync(prism, prismPort);
                variables["baseUrl"] = $"http://127.0.0.1:{prismPort}";

                var report = Path.Combine(work.FullName, "newman.json");
                var arguments = new List<string> { "run", collection, "--reporters", "json", "--reporter-json-export", report, "--timeout-request", "30000", "--color", "off" };
                foreach (var (name, value) in variables)
                {
                    arguments.AddRange(["--env-var", $"{name}={value}"]);
                }

                var (_, newmanOutput) = await NodeTool.RunAsync("newman", arguments, work.FullName);
                Assert.True(File.Exists(report), $"newman wrote no report:\n{newmanOutput}");
                var failures = Failures(report, out var requests);
                Assert.True(failures.Count == 0,
                    $"{failures.Count} failed check(s) in {requests} requests:\n{string.Join("\n", failures)}\n\nprism:\n{prism.Tail()}");
                var operations = document["paths"]!.AsObject().Sum(path => path.Value!.AsObject().Count);
                Assert.True(requests > operations, $"{requests} requests were sent for {operations} operations");
            }
            finally
            {
                prism.Kill();
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The collection's variables: real accounts, their tokens, gateways in every state an operation needs, mailed tokens,
    /// and what the operator settles. Operations run in the collection's order, so an action that changes what another needs
    /// (a release, a lock, a revoke, a requeue) has data of its own.
    /// </summary>
    private static async Task<Dictionary<string, string>> RunDataAsync(TestApp app, string connectionString)
    {
        using var customer = await SignInAsync(app);
        var (dealer, dealerId, dealerPhone) = await SignUpDealerAsync(app);
        using var _ = dealer;
        using var operatorCaller = await SignInAsync(app, AccountRole.Admin);

        var gatewayId = await AddGatewayAsync(app, customer);
        (await LinkAsync(customer, gatewayId, dealerId, dealerPhone)).EnsureSuccessStatusCode();
        await MonitoredGateways.SendAsync(app, MonitoredGateways.Event(gatewayId, 1, DateTimeOffset.UtcNow.AddMinutes(-1), batteryTempC: 62));
        var unlinkGatewayId = await AddGatewayAsync(app, customer);
        var kpacBGatewayId = await MonitoredGateways.ImportAsync(app, product: ProductLine.KpacB);
        (await customer.Client.PostAsJsonAsync("/api/gateways", new { gateway = new { id = kpacBGatewayId, password = MonitoredGateways.Password }, site = Site }))
            .EnsureSuccessStatusCode();
        (await LinkAsync(customer, unlinkGatewayId, dealerId, dealerPhone)).EnsureSuccessStatusCode();

        using var notice = await operatorCaller.Client.PostAsJsonAsync("/api/operator/notices",
            new { date = "2026-04-01", title = new { ja = "お知らせ" }, body = new { ja = "本文" }, audience = "all" });
        notice.EnsureSuccessStatusCode();

        var provisionalEmail = RegistrationClient.UniqueEmail();
        var activationToken = await RegistrationClient.RegisterAndGetTokenAsync(app, provisionalEmail, await RegistrationClient.ImportGatewayAsync(app));

        var operatorData = await OperatorRunDataAsync(app, connectionString, operatorCaller, customer, dealerId, dealerPhone);

        // A reset changes the password and ends the account's sessions: it is done on an account of its own.
        var (resetAccount, _) = await TestAccounts.CreateActiveAsync(app);
        (await app.Client.PostAsJsonAsync("/api/password-resets", new { email = resetAccount.Email })).EnsureSuccessStatusCode();
        var resetMail = (await DevMail.WaitForAsync(app, resetAccount.Email, "【パスワード再設定のお知らせ】遠隔モニタリングサービス")).Single();

        // A confirmed change of address moves the account and a password change ends its other sessions: accounts of their own.
        var (movingAccount, _) = await TestAccounts.CreateActiveAsync(app);
        using var moving = TestAccounts.NewClient(app);
        moving.DefaultRequestHeaders.Authorization = new("Bearer", await TestAccounts.LoginAsync(moving, movingAccount.Email, TestAccounts.DefaultPassword));
        var movedEmail = TestAccounts.UniqueEmail("fuzz-moved");
        (await moving.PostAsJsonAsync("/api/me/email-change", new { currentPassword = TestAccounts.DefaultPassword, email = movedEmail, emailConfirm = movedEmail }))
            .EnsureSuccessStatusCode();
        var emailChangeMail = (await DevMail.WaitForAsync(app, movedEmail, "【メールアドレス変更の確認】遠隔モニタリングサービス")).Single();
        var (passwordAccount, _) = await TestAccounts.CreateActiveAsync(app);

        return new Dictionary<string, string>(operatorData)
        {
            ["emailChangeEmail"] = TestAccounts.UniqueEmail("fuzz-new-address"),
            ["emailChangeToken"] = DevMail.LinkToken(emailChangeMail, "email-change"),
            ["passwordChangeToken"] = await TestAccounts.LoginAsync(TestAccounts.NewClient(app), passwordAccount.Email, TestAccounts.DefaultPassword),
            ["passwordChangePassword"] = TestAccounts.DefaultPassword,
            ["bearerToken"] = Token(customer),
            ["customerToken"] = Token(customer),
            ["dealerToken"] = Token(dealer),
            ["operatorToken"] = Token(operatorCaller),
            ["logoutToken"] = await TestAccounts.LoginAsync(TestAccounts.NewClient(app), customer.Account.Email, TestAccounts.DefaultPassword),
            ["customerUserId"] = customer.Account.UserId,
            ["customerEmail"] = customer.Account.Email,
            ["customerPassword"] = TestAccounts.DefaultPassword,
            ["customerPhone"] = customer.Account.Phone,
            ["gatewayPassword"] = RegistrationClient.GatewayPassword,
            ["gatewayId"] = gatewayId,
            ["disposableGatewayId"] = await AddGatewayAsync(app, customer),
            ["replaceableGatewayId"] = await AddGatewayAsync(app, customer),
            ["linkGatewayId"] = await AddGatewayAsync(app, customer),
            ["unlinkGatewayId"] = unlinkGatewayId,
            ["kpacBGatewayId"] = kpacBGatewayId,
            ["verifyGatewayId"] = await RegistrationClient.ImportGatewayAsync(app),
            ["registerGatewayId"] = await RegistrationClient.ImportGatewayAsync(app),
            ["addGatewayId"] = await RegistrationClient.ImportGatewayAsync(app),
            ["replacementGatewayId"] = await RegistrationClient.ImportGatewayAsync(app),
            ["dealerId"] = dealerId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["dealerPhone"] = dealerPhone,
            ["noticeId"] = (await JsonAsync(notice)).GetProperty("id").GetString()!,
            ["activationToken"] = activationToken,
            ["activationPhone"] = RegistrationClient.Phone,
            ["resetToken"] = DevMail.LinkToken(resetMail, "reset-password"),
            ["resetPhone"] = resetAccount.Phone,
            ["registerEmail"] = RegistrationClient.UniqueEmail(),
            ["dealerSignUpEmail"] = TestAccounts.UniqueEmail("dealer"),
        };
    }

    /// <summary>What the operator's actions act on, each its own: made through the app, and poison and dead letters as the host and ingest leave them.</summary>
    private static async Task<Dictionary<string, string>> OperatorRunDataAsync(
        TestApp app, string connectionString, Caller operatorCaller, Caller customer, int dealerId, string dealerPhone)
    {
        var accounts = app.Services.GetRequiredService<AccountStore>();
        async Task<string> ProvisionalUserIdAsync(string gatewayId)
        {
            var email = RegistrationClient.UniqueEmail();
            await RegistrationClient.RegisterAndGetTokenAsync(app, email, gatewayId);
            return (await accounts.FindByEmailAsync(email, CancellationToken.None))!.UserId;
        }

        var releaseGatewayId = await RegistrationClient.ImportGatewayAsync(app);
        await ProvisionalUserIdAsync(releaseGatewayId);
        var operatorUnlinkGatewayId = await AddGatewayAsync(app, customer);
        (await LinkAsync(customer, operatorUnlinkGatewayId, dealerId, dealerPhone)).EnsureSuccessStatusCode();

        var (unlockAccount, _) = await TestAccounts.CreateActiveAsync(app);
        (await operatorCaller.Client.PostAsJsonAsync($"/api/operator/accounts/{unlockAccount.UserId}/lock", new { reason = "ファズ用" })).EnsureSuccessStatusCode();
        var (revokeAccount, _) = await TestAccounts.CreateActiveAsync(app);
        (await operatorCaller.Client.PostAsJsonAsync("/api/operator/operators", new { email = revokeAccount.Email, reason = "ファズ用" })).EnsureSuccessStatusCode();

        // As the host leaves a message that failed five times: on its queue's "-poison" queue, as it was sent.
        async Task<string> PoisonAsync(string queue, string text)
        {
            var poison = TestQueues.Queue(connectionString, queue + "-poison");
            await poison.CreateIfNotExistsAsync();
            return (await poison.SendMessageAsync(text)).Value.MessageId;
        }

        // An event out of range is set aside by the ingest path.
        var deadLetterGatewayId = await MonitoredGateways.ImportAsync(app);
        await MonitoredGateways.SendAsync(app, MonitoredGateways.Event(deadLetterGatewayId, 1, DateTimeOffset.UtcNow.AddMinutes(-1), batterySoc: 150));
        var deadLetter = (await GetJsonAsync(operatorCaller.Client, "/api/operator/dead-letters?reason=OutOfRange")).EnumerateArray()
            .First(letter => letter.GetProperty("gatewayId").GetString() == deadLetterGatewayId);

        return new Dictionary<string, string>
        {
            ["provisionalUserId"] = await ProvisionalUserIdAsync(await RegistrationClient.ImportGatewayAsync(app)),
            ["releaseGatewayId"] = releaseGatewayId,
            ["operatorUnlinkGatewayId"] = operatorUnlinkGatewayId,
            ["lockUserId"] = (await TestAccounts.CreateActiveAsync(app)).Account.UserId,
            ["unlockUserId"] = unlockAccount.UserId,
            ["grantEmail"] = (await TestAccounts.CreateActiveAsync(app)).Account.Email,
            ["revokeUserId"] = revokeAccount.UserId,
            ["poisonMailMessageId"] = await PoisonAsync("email-outbox", $$"""{"id":"{{Guid.NewGuid():N}}","to":"{{customer.Account.Email}}","subject":"件名"}"""),
            ["poisonMessageId"] = await PoisonAsync("telemetry-publisher-revocations", deadLetterGatewayId),
            ["deadLetterDay"] = deadLetter.GetProperty("day").GetString()!,
            ["deadLetterId"] = deadLetter.GetProperty("id").GetString()!,
        };
    }

    /// <summary>
    /// Newman keeps the cookies it is given: the session cookie Login sets would ride along with every later request, so a
    /// request meant to go without a session (or with another role's token) would carry one. Every request goes without.
    /// </summary>
    private static void WithoutCookies(string collection)
    {
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(collection))!;
        document["protocolProfileBehavior"] = new System.Text.Json.Nodes.JsonObject { ["disableCookies"] = true };
        File.WriteAllText(collection, document.ToJsonString());
    }

    private static async Task<System.Text.Json.Nodes.JsonObject> CommittedDocumentAsync() =>
        System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(OpenApiContractTests.CommittedPath))!.AsObject();

    private static string Token(Caller caller) => caller.Client.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>Each failed check as "request: check: message", and how many requests were sent.</summary>
    private static List<string> Failures(string report, out int requests)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(report));
        var run = document.RootElement.GetProperty("run");
        requests = run.GetProperty("stats").GetProperty("requests").GetProperty("total").GetInt32();
        return run.GetProperty("failures").EnumerateArray().Select(failure =>
        {
            var error = failure.GetProperty("error");
            var check = error.TryGetProperty("test", out var test) ? test.GetString() : error.GetProperty("name").GetString();
            return $"- {failure.GetProperty("source").GetProperty("name").GetString()}: {check}: {error.GetProperty("message").GetString()}";
        }).ToList();
    }
}
