using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KpNet.Http;
using KpNet.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Http;

/// <summary>
/// Input no user can mean — text that is not Unicode, values too long or malformed for the table keys they become, a
/// client address that is not one — gets a 400 problem in Japanese naming what is wrong, on every JSON route, and
/// changes nothing in storage.
/// </summary>
public sealed class BadInputTests(AzuriteFixture azurite, JsonRoutesApp routes) : IClassFixture<AzuriteFixture>, IClassFixture<JsonRoutesApp>, IAsyncLifetime
{
    private const string ValidationTitle = "入力内容に誤りがあります。";
    private const string CharactersNotAllowed = "使用できない文字が含まれています（改行・タブなどの制御文字や、文字の向きを変える記号は使用できません）。";
    private const string Marker = "@@bad-input@@";

    /// <summary>What goes between the quotes of a JSON string in place of a field's value, as raw bytes.</summary>
    private static readonly Dictionary<string, byte[]> UndecodableText = new()
    {
        ["lone surrogate"] = Encoding.ASCII.GetBytes(@"\ud800"),
        ["reversed surrogates"] = Encoding.ASCII.GetBytes(@"\udc00\ud800"),
        ["invalid UTF-8"] = [(byte)'a', 0xFF, 0xFE, (byte)'b'],
    };

    private static readonly Dictionary<string, string> KeyBreakingValues = new()
    {
        ["a 1 KB address"] = new string('a', 1100) + "@example.jp",
        ["a non-ASCII address that escapes to over 1 KB"] = new string('あ', 200) + "@example.jp",
        ["1 KB of digits"] = new string('0', 1100),
        ["key-breaking characters"] = "090/1234#5678?",
    };

    private static readonly Dictionary<string, string> ForwardedForValues = new()
    {
        ["1 KB"] = new string('a', 1100),
        ["a name after a real address"] = "203.0.113.7, not-an-address",
        ["key-breaking characters"] = "203.0.113.7/24#?",
    };

    public static TheoryData<string, string> RoutesAndUndecodableText()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in JsonRoutesApp.Routes)
        {
            foreach (var kind in UndecodableText.Keys)
            {
                data.Add(route.Key, kind);
            }
        }

        return data;
    }

    public static TheoryData<string, string, string, string> TableKeyInputs() => new()
    {
        { "POST /api/sessions", "email", "a 1 KB address", "254文字以内で入力してください。" },
        { "POST /api/sessions", "email", "a non-ASCII address that escapes to over 1 KB", "メールアドレスの形式が正しくありません。" },
        { "POST /api/password-resets", "email", "a 1 KB address", "254文字以内で入力してください。" },
        { "POST /api/password-resets", "email", "a non-ASCII address that escapes to over 1 KB", "メールアドレスの形式が正しくありません。" },
        { "POST /api/activations", "email", "a 1 KB address", "254文字以内で入力してください。" },
        { "POST /api/account-ids/recovery", "phone", "1 KB of digits", "30文字以内で入力してください。" },
        { "POST /api/account-ids/recovery", "phone", "key-breaking characters", "電話番号の形式が正しくありません（例：075-344-8160、090-1234-5678）。" },
    };

    public static TheoryData<string> ForwardedFor() => new(ForwardedForValues.Keys);

    public Task InitializeAsync() => routes.StartAsync(azurite.ConnectionString);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Every_post_put_and_patch_route_of_the_app_is_in_the_table()
    {
        var mapped = routes.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Where(key => key.Split(' ')[0] is "POST" or "PUT" or "PATCH")
            .Order(StringComparer.Ordinal);

        Assert.Equal(JsonRoutesApp.Routes.Select(r => r.Key).Concat(JsonRoutesApp.OtherBodies).Order(StringComparer.Ordinal), mapped);
    }

    [Theory]
    [MemberData(nameof(RoutesAndUndecodableText))]
    public async Task Text_that_is_not_unicode_in_any_string_field_is_a_400_field_error_and_changes_nothing(string routeKey, string kind)
    {
        var route = JsonRoutesApp.Route(routeKey);
        var since = DateTimeOffset.UtcNow;
        var outbox = await routes.OutboxCountAsync();
        var wrong = new List<string>();

        foreach (var path in StringPaths(route.Body(routes)))
        {
            var body = route.Body(routes);
            Set(body, path, Marker);
            var json = Replace(Encoding.UTF8.GetBytes(body.ToJsonString()), Encoding.UTF8.GetBytes(Marker), UndecodableText[kind]);
            using var response = await SendAsync(route, json);
            var problem = await ProblemAsync(response);
            if (response.StatusCode != HttpStatusCode.BadRequest
                || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                || problem?.GetProperty("title").GetString() != ValidationTitle
                || !Messages(problem.Value, path).Contains(CharactersNotAllowed))
            {
                wrong.Add($"{path}: {(int)response.StatusCode} {response.Content.Headers.ContentType} {problem}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Empty(await routes.WritesSinceAsync(since, outbox));
    }

    [Theory]
    [MemberData(nameof(TableKeyInputs))]
    public async Task A_value_too_long_or_malformed_for_the_table_key_it_becomes_is_a_400_field_error_and_changes_nothing(
        string routeKey, string path, string value, string message)
    {
        var route = JsonRoutesApp.Route(routeKey);
        var since = DateTimeOffset.UtcNow;
        var outbox = await routes.OutboxCountAsync();
        var body = route.Body(routes);
        Set(body, path, KeyBreakingValues[value]);

        using var response = await SendAsync(route, Encoding.UTF8.GetBytes(body.ToJsonString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await ProblemAsync(response))!.Value;
        Assert.Equal(ValidationTitle, problem.GetProperty("title").GetString());
        Assert.Equal([message], Messages(problem, path));
        Assert.Empty(await routes.WritesSinceAsync(since, outbox));
    }

    [Theory]
    [MemberData(nameof(ForwardedFor))]
    public async Task A_forwarded_client_address_that_is_not_an_ip_address_is_ignored_and_never_becomes_a_key(string value)
    {
        var since = DateTimeOffset.UtcNow;
        using var client = new HttpClient { BaseAddress = routes.App.BaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation(ClientAddress.FrontEndHeader, ForwardedForValues[value]);
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Forwarded-For", ForwardedForValues[value]);

        using var response = await client.PostAsJsonAsync("/api/sessions", new { email = routes.NewEmail, password = "Wr0ngPassword" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var written = await routes.WritesSinceAsync(since, await routes.OutboxCountAsync());
        Assert.DoesNotContain(written, row => row.Contains("aaaa", StringComparison.Ordinal) || row.Contains("not-an-address", StringComparison.Ordinal) || row.Contains('#'));
    }

    private async Task<HttpResponseMessage> SendAsync(JsonRoute route, byte[] json)
    {
        var client = routes.ClientFor(route.Role);
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path(routes)) { Content = new ByteArrayContent(json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement?> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string[] Messages(JsonElement problem, string path) =>
        problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(path, out var messages)
            ? messages.EnumerateArray().Select(m => m.GetString()!).ToArray()
            : [];

    /// <summary>The JSON path of every string in <paramref name="node"/>, as the API names fields ("site.name", "staffEmails[0]").</summary>
    private static IEnumerable<string> StringPaths(JsonNode node, string prefix = "") => node switch
    {
        JsonObject o => o.SelectMany(p => StringPaths(p.Value!, prefix.Length == 0 ? p.Key : $"{prefix}.{p.Key}")),
        JsonArray a => a.SelectMany((item, i) => StringPaths(item!, $"{prefix}[{i}]")),
        _ => node.GetValueKind() == JsonValueKind.String ? [prefix] : [],
    };

    private static void Set(JsonObject body, string path, string value)
    {
        JsonNode parent = body;
        var segments = path.Split('.');
        foreach (var segment in segments[..^1])
        {
            parent = parent[segment]!;
        }

        var last = segments[^1];
        var bracket = last.IndexOf('[', StringComparison.Ordinal);
        if (bracket < 0)
        {
            parent[last] = value;
        }
        else
        {
            parent[last[..bracket]]![int.Parse(last[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
    }

    private static byte[] Replace(byte[] source, byte[] find, byte[] replacement)
    {
        var at = source.AsSpan().IndexOf(find);
        return [.. source[..at], .. replacement, .. source[(at + find.Length)..]];
    }
}
