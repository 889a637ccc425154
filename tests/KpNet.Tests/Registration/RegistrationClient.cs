using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KpNet.Inventory;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KpNet.Tests.Registration;

/// <summary>What a registering user does over HTTP, with unique gateways and addresses per test.</summary>
public static partial class RegistrationClient
{
    public static async Task<string> ImportGatewayAsync(TestApp app)
    {
        var id = "RG" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        await app.Services.GetRequiredService<GatewayInventory>()
            .ImportAsync([new InventoryRow(id, GatewayPassword, "GW-M001", "S" + id[2..], ProductLine.MultiV2x)], CancellationToken.None);
        return id;
    }

    public static Task<HttpResponseMessage> RegisterAsync(TestApp app, JsonObject body, string? language = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/accounts") { Content = JsonContent.Create(body) };
        if (language is not null)
        {
            request.Headers.AcceptLanguage.ParseAdd(language);
        }

        return app.Client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> ActivateAsync(TestApp app, string token, string password = "Passw0rdKp", string phone = Phone) =>
        app.Client.PostAsJsonAsync("/api/activations/" + token, new { termsVersion = "2026-01", password, passwordConfirm = password, phone });

    public static async Task<IReadOnlyList<JsonElement>> MailsToAsync(TestApp app, string address)
    {
        using var document = JsonDocument.Parse(await app.Client.GetStringAsync("/api/dev/mail"));
        return document.RootElement.EnumerateArray()
            .Where(m => string.Equals(m.GetProperty("to").GetString(), address, StringComparison.OrdinalIgnoreCase))
            .Select(m => m.Clone())
            .ToList();
    }

    /// <summary>
    /// A mail crosses two queues (mail-requests, email-outbox); at the start of a run, with every class starting its app on
    /// two cores, that once took longer than the default 30 s. And when a storage call times out under that load, a
    /// delivery can leave its mail's claim unreleased: the next delivery then waits out the claim's lease
    /// (<see cref="KpNet.Notifications.MailDeliveries.ClaimLease"/>, a minute) before it sends, as the app should.
    /// </summary>
    public static readonly TimeSpan MailTimeout = KpNet.Notifications.MailDeliveries.ClaimLease + TimeSpan.FromSeconds(60);

    public static Task<IReadOnlyList<JsonElement>> WaitForMailsAsync(TestApp app, string address, int count = 1) =>
        Eventually.ReturnsAsync(() => MailsToAsync(app, address), mails => mails.Count >= count, MailTimeout, what: $"{count} mail(s) to {address}");

    public static string Subject(JsonElement mail) => mail.GetProperty("subject").GetString()!;

    /// <summary>The token from the activation URL in a mail (https://portal/activate#token).</summary>
    public static string TokenIn(JsonElement mail) => ActivationLink().Match(mail.GetProperty("text").GetString()!).Groups[1].Value;

    /// <summary>Registers and returns the token from the activation mail.</summary>
    public static async Task<string> RegisterAndGetTokenAsync(TestApp app, string email, string gatewayId)
    {
        var response = await RegisterAsync(app, Body(email, gatewayId));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var mails = await WaitForMailsAsync(app, email);
        return TokenIn(mails[^1]);
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static string[] ErrorPaths(JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray() : [];

    public static string UniqueEmail() => $"reg-{Guid.NewGuid():N}@example.jp";

    [GeneratedRegex(@"/activate#([A-Za-z0-9_-]{43})")]
    private static partial Regex ActivationLink();
}
