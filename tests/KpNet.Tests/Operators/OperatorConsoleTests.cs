using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using KpNet.Accounts;
using KpNet.Hosting;
using KpNet.Inventory;
using KpNet.Tests.Accounts;
using KpNet.Tests.Gateways;
using KpNet.Tests.Infrastructure;
using KpNet.Tests.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Gateways.GatewayTestClient;

namespace KpNet.Tests.Operators;

/// <summary>The operator's inventory import (dry run, Shift_JIS, re-import) and gateway lookup over HTTP.</summary>
public sealed class OperatorConsoleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly Encoding ShiftJis = CodePagesEncodingProvider.Instance.GetEncoding(932)!;

    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_dry_run_names_every_refused_line_and_column_in_japanese_and_writes_nothing()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var (good, present) = (NewId(), NewId());
        await ImportAsync(operatorCaller, $"{InventoryCsv.Header}\n{present},abcdefghijk12,KP-GWBT-A,S{present},kpac-b\n");
        var csv = $"""
            {InventoryCsv.Header}
            {good},abcdefghijk12,GW-M001,S{good},multi-v2x
            {present},abcdefghijk12,KP-GWBT-A,S{present},kpac-b
            BAD,abcdefghijk12,GW-M001,S1,multi-v2x
            {NewId()},short,GW-M001,S2,multi-v2x
            {NewId()},abcdefghijk12,GW-M001,S/3,multi-v2x
            {NewId()},abcdefghijk12,GW-M001,S4,toaster
            {good},abcdefghijk12,GW-M001,S5,multi-v2x
            {NewId()},abcdefghijk12
            """;

        var result = await PostCsvAsync(operatorCaller, "/api/operator/gateway-inventory/dry-run", Encoding.UTF8.GetBytes(csv));

        Assert.Equal((8, 1, 1, 6), (Int(result, "rows"), Int(result, "new"), Int(result, "alreadyPresent"), Int(result, "refused")));
        Assert.Equal(
            [
                "4 id ゲートウェイID「BAD」は英数字12文字ではありません。",
                "5 password パスワードは8文字以上64文字以内にしてください。",
                "6 serial 製造番号は英数字と「-」「.」「_」の32文字以内にしてください。",
                "7 product 製品「toaster」は multi-v2x か kpac-b にしてください。",
                "8 id このゲートウェイIDは2行目にもあります。",
                "9  項目は5つ必要ですが、2つあります。",
            ],
            result.GetProperty("errors").EnumerateArray().Select(e => $"{Int(e, "line")} {e.GetProperty("column").GetString()} {e.GetProperty("message").GetString()}"));
        Assert.Null(await _app.Services.GetRequiredService<GatewayInventory>().FindAsync(good, CancellationToken.None));
    }

    [Fact]
    public async Task A_shift_jis_file_imports_and_importing_it_again_changes_nothing()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var id = NewId();
        // The model in full-width letters, as a Japanese spreadsheet may write it: NFKC makes it GW-M001.
        var bytes = ShiftJis.GetBytes($"{InventoryCsv.Header}\r\n{id},abcdefghijk12,ＧＷ－Ｍ００１,S{id},multi-v2x\r\nＢＡＤ,abcdefghijk12,形式,S1,multi-v2x\r\n");
        Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, true).GetString(bytes));

        var first = await PostCsvAsync(operatorCaller, "/api/operator/gateway-inventory", bytes);
        var rowsAfterFirst = await InventoryRowAsync(id);
        var second = await PostCsvAsync(operatorCaller, "/api/operator/gateway-inventory", bytes);

        Assert.Equal((1, 0, 1), (Int(first, "imported"), Int(first, "alreadyPresent"), Int(first, "refused")));
        Assert.Equal("ゲートウェイID「BAD」は英数字12文字ではありません。", first.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal((0, 1, 1), (Int(second, "imported"), Int(second, "alreadyPresent"), Int(second, "refused")));
        var stored = await InventoryRowAsync(id);
        Assert.Equal("GW-M001", stored!.GetString("Model"));
        Assert.Equal(rowsAfterFirst!.ETag, stored.ETag);
    }

    [Fact]
    public async Task A_gateway_id_sent_again_in_a_later_part_with_other_data_is_refused_on_its_line_while_the_same_data_is_no_change()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var (id, other) = (NewId(), NewId());
        // Part 1 of a file sent in parts (as the portal does): the header, then its lines.
        var first = await PostCsvAsync(operatorCaller, "/api/operator/gateway-inventory",
            Encoding.UTF8.GetBytes($"{InventoryCsv.Header}\n{id},abcdefghijk12,GW-M001,S{id},multi-v2x\n"));
        Assert.Equal((1, 0, 0), (Int(first, "imported"), Int(first, "alreadyPresent"), Int(first, "refused")));
        var stored = await InventoryRowAsync(id);

        // Part 2: the same ID again, once with another serial, once with another password; a new gateway; the same line as part 1.
        var part = $"""
            {InventoryCsv.Header}
            {id},abcdefghijk12,GW-M001,S{id}X,multi-v2x
            {other},abcdefghijk12,GW-M001,S{other},multi-v2x
            """;
        var checkedPart = await PostCsvAsync(operatorCaller, "/api/operator/gateway-inventory/dry-run", Encoding.UTF8.GetBytes(part));
        Assert.Equal((2, 1, 0, 1), (Int(checkedPart, "rows"), Int(checkedPart, "new"), Int(checkedPart, "alreadyPresent"), Int(checkedPart, "refused")));
        var second = await PostCsvAsync(operatorCaller, "/api/operator/gateway-inventory", Encoding.UTF8.GetBytes(part));
        Assert.Equal((1, 0, 1), (Int(second, "imported"), Int(second, "alreadyPresent"), Int(second, "refused")));
        var problem = Assert.Single(second.GetProperty("errors").EnumerateArray());
        Assert.Equal((2, "id"), (problem.GetProperty("line").GetInt32(), problem.GetProperty("column").GetString()));
        Assert.StartsWith("このゲートウェイIDは別の内容（パスワード・型式・製造番号・製品のいずれかが異なる）で在庫に登録済み", problem.GetProperty("message").GetString());

        var otherPassword = await PostCsvAsync(operatorCaller, "/api/operator/gateway-inventory",
            Encoding.UTF8.GetBytes($"{InventoryCsv.Header}\n{id},abcdefghijk99,GW-M001,S{id},multi-v2x\n"));
        Assert.Equal((0, 0, 1), (Int(otherPassword, "imported"), Int(otherPassword, "alreadyPresent"), Int(otherPassword, "refused")));

        var same = await PostCsvAsync(operatorCaller, "/api/operator/gateway-inventory",
            Encoding.UTF8.GetBytes($"{InventoryCsv.Header}\n{id},abcdefghijk12,ＧＷ－Ｍ００１,S{id},multi-v2x\n"));
        Assert.Equal((0, 1, 0), (Int(same, "imported"), Int(same, "alreadyPresent"), Int(same, "refused")));
        Assert.Equal(stored!.ETag, (await InventoryRowAsync(id))!.ETag);
        Assert.Equal([id], await _app.Services.GetRequiredService<GatewayInventory>().IdsWithSerialAsync("S" + id, CancellationToken.None));
        Assert.Empty(await _app.Services.GetRequiredService<GatewayInventory>().IdsWithSerialAsync($"S{id}X", CancellationToken.None));
    }

    [Fact]
    public async Task A_file_declared_as_utf8_that_is_not_is_refused_in_japanese_and_english()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var bytes = ShiftJis.GetBytes($"{InventoryCsv.Header}\n{NewId()},abcdefghijk12,形式,S1,multi-v2x\n");
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv; charset=utf-8");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/operator/gateway-inventory") { Content = content };
        request.Headers.AcceptLanguage.ParseAdd("en");

        using var response = await operatorCaller.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("The file cannot be read. Save it as UTF-8 or Shift_JIS.", (await JsonAsync(response)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_operator_finds_a_gateway_by_id_serial_email_or_phone_and_refuses_text_that_is_none()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var phone = TestAccounts.UniquePhone();
        using var customer = await SignInAsync(_app, phone: phone);
        var gateway = await AddGatewayAsync(_app, customer);
        var serial = "S" + gateway[2..];

        foreach (var (query, matchedBy) in new (string, string)[]
        {
            (gateway.ToLowerInvariant(), "id"), (serial.ToLowerInvariant(), "serial"), (customer.Account.Email.ToUpperInvariant(), "email"),
            ($"{phone[..3]}-{phone[3..7]}-{phone[7..]}", "phone"),
        })
        {
            var matches = await GetJsonAsync(operatorCaller.Client, "/api/operator/gateway-search?q=" + Uri.EscapeDataString(query));
            var match = Assert.Single(matches.EnumerateArray());
            Assert.Equal((gateway, "active", matchedBy), (match.GetProperty("id").GetString(), match.GetProperty("claimStatus").GetString(), match.GetProperty("matchedBy").GetString()));
        }

        Assert.Empty((await GetJsonAsync(operatorCaller.Client, "/api/operator/gateway-search?q=" + Uri.EscapeDataString(TestAccounts.UniqueEmail()))).EnumerateArray());
        using var refused = await operatorCaller.Client.GetAsync("/api/operator/gateway-search?q=" + Uri.EscapeDataString("京都 / 1#"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("ゲートウェイID、製造番号、メールアドレスまたは電話番号を入力してください。", (await JsonAsync(refused)).GetProperty("errors").GetProperty("q")[0].GetString());
    }

    [Fact]
    public async Task The_gateway_view_shows_owner_dealers_communication_alerts_dead_letters_and_history_and_the_customer_sees_it_was_viewed()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var phone = TestAccounts.UniquePhone();
        using var customer = await SignInAsync(_app, phone: phone);
        var gateway = await AddGatewayAsync(_app, customer);
        var (dealer, dealerId, dealerPhone) = await SignUpDealerAsync(_app, "御室電機");
        dealer.Dispose();
        (await LinkAsync(customer, gateway, dealerId, dealerPhone)).EnsureSuccessStatusCode();
        var sentAt = DateTimeOffset.UtcNow.AddMinutes(-2);
        await MonitoredGateways.SendAsync(_app, MonitoredGateways.Event(gateway, 1, sentAt, batteryTempC: 62), MonitoredGateways.Event(gateway, 2, sentAt, batterySoc: 150));

        var view = await GetJsonAsync(operatorCaller.Client, "/api/operator/gateways/" + gateway);

        Assert.Equal("active", view.GetProperty("claim").GetProperty("status").GetString());
        var owner = view.GetProperty("owner");
        Assert.Equal((customer.Account.Email, phone), (owner.GetProperty("email").GetString(), owner.GetProperty("phone").GetString()));
        var link = Assert.Single(view.GetProperty("links").EnumerateArray());
        Assert.Equal((dealerId, "御室電機"), (Int(link, "dealerId"), link.GetProperty("name").GetString()));
        Assert.Equal(sentAt.ToUnixTimeSeconds(), view.GetProperty("lastCommunicatedAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(JsonValueKind.String, view.GetProperty("firstCommunicatedAt").ValueKind);
        Assert.Equal("battery-temp-high", Assert.Single(view.GetProperty("alerts").EnumerateArray()).GetProperty("code").GetString());
        var deadLetter = Assert.Single(view.GetProperty("deadLetters").EnumerateArray());
        Assert.Equal(("OutOfRange", "battery.soc"), (deadLetter.GetProperty("reason").GetString(), deadLetter.GetProperty("field").GetString()));
        Assert.Equal(["DealerLinked", "Added"], view.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToArray());

        var viewed = Assert.Single((await GetJsonAsync(customer.Client, "/api/me/audit-log")).EnumerateArray());
        Assert.Equal(JsonValueKind.Null, viewed.GetProperty("dealerId").ValueKind);
        Assert.Equal(gateway, viewed.GetProperty("gatewayId").GetString());
        Assert.Equal(["site.name", "site.address", "name", "phone", "email"], viewed.GetProperty("fields").EnumerateArray().Select(f => f.GetString()!).ToArray());
        var operatorEntry = Assert.Single((await GetJsonAsync(operatorCaller.Client, "/api/operator/audit-log?userId=" + customer.Account.UserId)).EnumerateArray());
        Assert.Equal(operatorCaller.Account.UserId, operatorEntry.GetProperty("viewerUserId").GetString());
    }

    [Fact]
    public async Task A_free_gateway_shows_its_inventory_data_and_records_no_view()
    {
        using var operatorCaller = await SignInAsync(_app, AccountRole.Admin);
        var id = NewId();
        await ImportAsync(operatorCaller, $"{InventoryCsv.Header}\n{id},abcdefghijk12,KP-GWBT-A,S{id},kpac-b\n");

        var view = await GetJsonAsync(operatorCaller.Client, "/api/operator/gateways/" + id);

        Assert.Equal(("free", "kpac-b", "S" + id), (view.GetProperty("claim").GetProperty("status").GetString(), view.GetProperty("product").GetString(), view.GetProperty("serial").GetString()));
        Assert.Equal(JsonValueKind.Null, view.GetProperty("owner").ValueKind);
        Assert.Equal(0, await CountAsync(AuditLogRowsOf(id)));
    }

    private static string NewId() => "OP" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();

    private static int Int(JsonElement element, string name) => element.GetProperty(name).GetInt32();

    private static async Task ImportAsync(Caller operatorCaller, string csv) =>
        await PostCsvAsync(operatorCaller, "/api/operator/gateway-inventory", Encoding.UTF8.GetBytes(csv));

    /// <summary>The file as a browser uploads it: its bytes, text/csv without a charset.</summary>
    private static async Task<JsonElement> PostCsvAsync(Caller operatorCaller, string path, byte[] bytes)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await operatorCaller.Client.PostAsync(path, content);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await JsonAsync(response);
    }

    private async Task<TableEntity?> InventoryRowAsync(string id) =>
        (await _app.Services.GetRequiredService<StorageAccount>().GetTableClient(GatewayInventory.TableName).GetEntityIfExistsAsync<TableEntity>(id, "")).Value;

    private AsyncPageable<TableEntity> AuditLogRowsOf(string gatewayId) =>
        _app.Services.GetRequiredService<StorageAccount>().GetTableClient(KpNet.Audit.AuditLog.TableName)
            .QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"GatewayId eq {gatewayId}"));

    private static async Task<int> CountAsync(IAsyncEnumerable<TableEntity> rows)
    {
        var count = 0;
        await foreach (var _ in rows)
        {
            count++;
        }

        return count;
    }
}
