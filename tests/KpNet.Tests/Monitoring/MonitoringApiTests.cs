using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KpNet.Access;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static KpNet.Tests.Monitoring.MonitoredGateways;

namespace KpNet.Tests.Monitoring;

public sealed class MonitoringApiTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string HistoryOutOfRange = "日時は 2000-01-01 から 2099-12-31 までの範囲（UTC）で指定してください。";

    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static DateTimeOffset Minute(DateTimeOffset t) => new(t.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    private static async Task<string[]> ErrorPathsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The problem body without its per-request trace ID.</summary>
    private static async Task<string> WithoutTraceAsync(HttpResponseMessage response)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        body.Remove("traceId");
        return body.ToJsonString();
    }

    [Fact]
    public async Task The_owner_sees_the_latest_status_after_the_first_message_and_strangers_get_the_same_404_as_a_missing_gateway()
    {
        var gateway = await CreateOwnedAsync(_app);
        var stranger = await StrangerAsync(_app);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.OwnerClient.GetAsync($"/api/gateways/{gateway.Id}/status")).StatusCode);

        var ts = Minute(DateTimeOffset.UtcNow.AddMinutes(-5));
        await SendAsync(_app, Event(gateway.Id, 7, ts, FaultyUnits("E305"), batterySoc: 78.5, batteryW: -1200, pvW: 3200));

        var response = await gateway.OwnerClient.GetAsync($"/api/gateways/{gateway.Id.ToLowerInvariant()}/status");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = await JsonAsync(response);
        Assert.Equal(ts, status.GetProperty("ts").GetDateTimeOffset());
        Assert.Equal((3200.0, 78.5, -1200.0, true, 40.0, 3000.0, -500.0, 1500.0),
            (status.GetProperty("pvW").GetDouble(), status.GetProperty("batterySoc").GetDouble(), status.GetProperty("batteryW").GetDouble(),
             status.GetProperty("evConnected").GetBoolean(), status.GetProperty("evSoc").GetDouble(), status.GetProperty("evW").GetDouble(),
             status.GetProperty("gridW").GetDouble(), status.GetProperty("loadW").GetDouble()));
        var unit = status.GetProperty("units")[1];
        Assert.Equal((2, "fault", "E305"), (unit.GetProperty("unitNo").GetInt32(), unit.GetProperty("status").GetString(), unit.GetProperty("faults")[0].GetString()));

        var missing = await WithoutTraceAsync(await stranger.GetAsync($"/api/gateways/{NewGatewayId()}/status"));
        foreach (var path in new[] { "status", "history", "alerts", "settings" })
        {
            var refused = await stranger.GetAsync($"/api/gateways/{gateway.Id}/{path}");
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Equal(missing, await WithoutTraceAsync(refused));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PutAsJsonAsync($"/api/gateways/{gateway.Id}/settings", new { operationMode = "backup", batteryReservePercent = 50 })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.Client.GetAsync($"/api/gateways/{gateway.Id}/status")).StatusCode);
    }

    [Fact]
    public async Task History_is_served_at_each_resolution_from_the_rollups_and_bad_ranges_are_refused_with_their_paths()
    {
        var gateway = await CreateOwnedAsync(_app);
        var start = Minute(DateTimeOffset.UtcNow.AddHours(-3));
        start = start.AddMinutes(-(start.Minute % 5));
        await SendAsync(_app, Event(gateway.Id, 1, start, pvW: 1200), Event(gateway.Id, 2, start.AddMinutes(1), pvW: 2400), Event(gateway.Id, 3, start.AddMinutes(10), pvW: 600));

        string Query(string resolution, DateTimeOffset from, DateTimeOffset to) =>
            $"/api/gateways/{gateway.Id}/history?resolution={resolution}&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";
        var fiveMinutes = await gateway.OwnerClient.GetFromJsonAsync<JsonElement>(Query("5m", start, start.AddMinutes(15)));
        Assert.Equal("5m", fiveMinutes.GetProperty("resolution").GetString());
        var points = fiveMinutes.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal([start, start.AddMinutes(10)], points.Select(p => p.GetProperty("ts").GetDateTimeOffset()));
        Assert.Equal(1800, points[0].GetProperty("pvW").GetDouble(), 6);
        Assert.Equal(1800 * 5 / 60.0 / 1000, points[0].GetProperty("pvGeneratedKWh").GetDouble(), 6);

        var hourly = await gateway.OwnerClient.GetFromJsonAsync<JsonElement>(Query("1h", start.AddHours(-1), start.AddHours(2)));
        var hourPoints = hourly.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal((1800 * 5 + 600 * 5) / 60.0 / 1000, hourPoints.Sum(p => p.GetProperty("pvGeneratedKWh").GetDouble()), 6);
        Assert.False(hourPoints[0].TryGetProperty("pvW", out _));

        var daily = await gateway.OwnerClient.GetFromJsonAsync<JsonElement>(Query("1d", start.AddDays(-2), start.AddDays(1)));
        Assert.Equal((1800 * 5 + 600 * 5) / 60.0 / 1000, daily.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("pvGeneratedKWh").GetDouble()), 6);

        Assert.Equal(["resolution"], await ErrorPathsAsync(await gateway.OwnerClient.GetAsync(Query("1w", start, start.AddHours(1)))));
        Assert.Equal(["to"], await ErrorPathsAsync(await gateway.OwnerClient.GetAsync(Query("1h", start, start.AddHours(-1)))));
        Assert.Equal(["from"], await ErrorPathsAsync(await gateway.OwnerClient.GetAsync(Query("5m", start.AddDays(-30), start))));
        Assert.Equal(["from"], await ErrorPathsAsync(await gateway.OwnerClient.GetAsync($"/api/gateways/{gateway.Id}/history?from=yesterday")));
        var english = new HttpRequestMessage(HttpMethod.Get, Query("1w", start, start.AddHours(1)));
        english.Headers.AcceptLanguage.ParseAdd("en");
        var problem = await JsonAsync(await gateway.OwnerClient.SendAsync(english));
        Assert.Equal("The resolution must be 5m, 1h or 1d.", problem.GetProperty("errors").GetProperty("resolution")[0].GetString());
    }

    [Fact]
    public async Task History_gives_the_EV_charge_and_discharge_of_each_bucket_hour_and_day()
    {
        var gateway = await CreateOwnedAsync(_app);
        var start = Minute(DateTimeOffset.UtcNow.AddHours(-3));
        start = start.AddMinutes(-(start.Minute % 5));
        await SendAsync(_app, Event(gateway.Id, 1, start, evW: 3000), Event(gateway.Id, 2, start.AddMinutes(1), evW: -1200), Event(gateway.Id, 3, start.AddMinutes(10), evW: 600));

        async Task<List<JsonElement>> PointsAsync(string resolution, DateTimeOffset from, DateTimeOffset to) =>
            (await gateway.OwnerClient.GetFromJsonAsync<JsonElement>(
                $"/api/gateways/{gateway.Id}/history?resolution={resolution}&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"))
            .GetProperty("points").EnumerateArray().ToList();

        // The first bucket: 3,000 W into the car and 1,200 W out of it, one sample each, over 5 minutes; 10 minutes later 600 W in.
        var fiveMinutes = await PointsAsync("5m", start, start.AddMinutes(15));
        Assert.Equal(900, fiveMinutes[0].GetProperty("evW").GetDouble(), 6);
        AssertEv((1500 * 5 / 60.0 / 1000, 600 * 5 / 60.0 / 1000), [fiveMinutes[0]]);
        AssertEv((600 * 5 / 60.0 / 1000, 0), [fiveMinutes[1]]);
        var total = ((1500 + 600) * 5 / 60.0 / 1000, 600 * 5 / 60.0 / 1000);
        AssertEv(total, await PointsAsync("1h", start.AddHours(-1), start.AddHours(2)));
        AssertEv(total, await PointsAsync("1d", start.AddDays(-2), start.AddDays(1)));

        static void AssertEv((double Charged, double Discharged) expected, IEnumerable<JsonElement> points)
        {
            Assert.Equal(expected.Charged, points.Sum(p => p.GetProperty("evChargedKWh").GetDouble()), 9);
            Assert.Equal(expected.Discharged, points.Sum(p => p.GetProperty("evDischargedKWh").GetDouble()), 9);
        }
    }

    [Theory]
    [InlineData("to=0001-01-01T00:00:00Z", "to", HistoryOutOfRange)]
    [InlineData("from=9999-12-31T23:59:59Z", "from", HistoryOutOfRange)]
    [InlineData("from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z&resolution=1d", "from", HistoryOutOfRange)]
    [InlineData("from=2099-12-31T00:00:00Z&to=9999-12-31T23:59:59Z", "to", HistoryOutOfRange)]
    [InlineData("from=2026-04-02T00:00:00Z&to=2026-04-01T00:00:00Z", "to", "終了日時は開始日時より後にしてください。")]
    public async Task History_for_times_out_of_range_or_out_of_order_is_a_400_naming_the_parameter(string query, string path, string message)
    {
        var gateway = await CreateOwnedAsync(_app);

        var response = await gateway.OwnerClient.GetAsync($"/api/gateways/{gateway.Id}/history?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal("入力内容に誤りがあります。", problem.GetProperty("title").GetString());
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(path).EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task Settings_round_trip_from_the_owner_to_the_gateway_and_back_as_applied()
    {
        var gateway = await CreateOwnedAsync(_app);
        var settingsPath = $"/api/gateways/{gateway.Id}/settings";
        var initial = await gateway.OwnerClient.GetFromJsonAsync<JsonElement>(settingsPath);
        Assert.Equal(("self-consumption", 0), (initial.GetProperty("operationMode").GetString(), initial.GetProperty("version").GetInt32()));

        var put = await gateway.OwnerClient.PutAsJsonAsync(settingsPath, new
        {
            operationMode = "economy", batteryReservePercent = 40, evChargeWindow = new { start = "２２:００", end = "6:30" }, version = 0,
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var desired = await JsonAsync(put);
        Assert.Equal(1, desired.GetProperty("version").GetInt32());
        Assert.Equal(("22:00", "06:30"), (desired.GetProperty("evChargeWindow").GetProperty("start").GetString(), desired.GetProperty("evChargeWindow").GetProperty("end").GetString()));
        Assert.Equal(JsonValueKind.Null, desired.GetProperty("applied").ValueKind);

        var stale = await gateway.OwnerClient.PutAsJsonAsync(settingsPath, new { operationMode = "backup", batteryReservePercent = 90, version = 0 });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        var read = await _app.Client.PostAsJsonAsync("/api/gateway-api/settings", new { id = gateway.Id.ToLowerInvariant(), password = Password });
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var forGateway = await JsonAsync(read);
        Assert.Equal((1, "economy", 40), (forGateway.GetProperty("version").GetInt32(), forGateway.GetProperty("operationMode").GetString(), forGateway.GetProperty("batteryReservePercent").GetInt32()));

        Assert.Equal(HttpStatusCode.NoContent, (await _app.Client.PostAsJsonAsync("/api/gateway-api/settings/applied", new { id = gateway.Id, password = Password, version = 1 })).StatusCode);
        Assert.Equal(["version"], await ErrorPathsAsync(await _app.Client.PostAsJsonAsync("/api/gateway-api/settings/applied", new { id = gateway.Id, password = Password, version = 2 })));

        var after = await gateway.OwnerClient.GetFromJsonAsync<JsonElement>(settingsPath);
        Assert.Equal((1, 1), (after.GetProperty("version").GetInt32(), after.GetProperty("applied").GetProperty("version").GetInt32()));
        Assert.Equal("economy", after.GetProperty("operationMode").GetString());
    }

    [Fact]
    public async Task Invalid_settings_are_refused_with_the_path_of_each_field()
    {
        var gateway = await CreateOwnedAsync(_app);
        var response = await gateway.OwnerClient.PutAsJsonAsync($"/api/gateways/{gateway.Id}/settings", new
        {
            operationMode = "turbo", batteryReservePercent = 101, evChargeWindow = new { start = "25:00", end = "07:00" },
        });
        Assert.Equal(["batteryReservePercent", "evChargeWindow.start", "operationMode"], await ErrorPathsAsync(response));

        response = await gateway.OwnerClient.PutAsJsonAsync($"/api/gateways/{gateway.Id}/settings", new { evChargeWindow = new { start = "22:00" } });
        Assert.Equal(["batteryReservePercent", "evChargeWindow.end", "operationMode"], await ErrorPathsAsync(response));
        Assert.Equal(0, (await gateway.OwnerClient.GetFromJsonAsync<JsonElement>($"/api/gateways/{gateway.Id}/settings")).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task The_gateway_api_refuses_a_wrong_password_and_locks_out_guessing()
    {
        var id = await ImportAsync(_app);
        var client = Accounts.TestAccounts.NewClient(_app);
        HttpResponseMessage response;
        var attempts = 0;
        do
        {
            response = await client.PostAsJsonAsync("/api/gateway-api/settings", new { id, password = "wrong-password" });
            attempts++;
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }
        while (response.StatusCode != HttpStatusCode.TooManyRequests && attempts <= GatewayCredentials.Limits.PerAccountClient.Limit);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsJsonAsync("/api/gateway-api/settings", new { id, password = Password })).StatusCode);
        Assert.Equal(["id", "password"], await ErrorPathsAsync(await client.PostAsJsonAsync("/api/gateway-api/settings", new { })));
    }

    [Fact]
    public async Task The_gateway_reads_its_settings_while_strangers_guess_its_password_from_fifty_clients_who_get_a_capped_number_of_guesses()
    {
        var id = await ImportAsync(_app);
        var gateway = Accounts.TestAccounts.NewClient(_app);
        Assert.Equal(HttpStatusCode.OK, (await gateway.PostAsJsonAsync("/api/gateway-api/settings", new { id, password = Password })).StatusCode);

        var strangers = new List<HttpStatusCode>();
        for (var i = 0; i < 50; i++)
        {
            using var stranger = Accounts.TestAccounts.NewClient(_app);
            strangers.Add((await stranger.PostAsJsonAsync("/api/gateway-api/settings", new { id, password = "wrong-password" })).StatusCode);
        }

        using var own = await gateway.PostAsJsonAsync("/api/gateway-api/settings", new { id, password = Password });

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        // The guess that spends the hour's budget is checked, and already answered 429 like every one after it.
        var checkedGuesses = GatewayCredentials.Limits.PerAccount.Limit;
        Assert.All(strangers.Take(checkedGuesses - 1), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(strangers.Skip(checkedGuesses - 1), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }
}
