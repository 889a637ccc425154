using KpNet.Notifications;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KpNet.Tests.Hosting;

/// <summary>Settings are checked when the app starts: a deployment missing one refuses to start and names it.</summary>
public sealed class SettingsValidationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData("Portal:BaseUrl", "Portal__BaseUrl")]
    [InlineData("Support:Phone", "Support__Phone")]
    [InlineData("Email:SenderAddress", "Email__SenderAddress")]
    [InlineData("TelemetryEventHub:fullyQualifiedNamespace", "TelemetryEventHub__fullyQualifiedNamespace")]
    public async Task Under_the_functions_host_the_app_refuses_to_start_without_a_setting_it_needs_and_names_it(string key, string settingName)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestApp.StartAsync(azurite.ConnectionString, underFunctionsHost: true, settings: new Dictionary<string, string> { [key] = "" }));

        Assert.Contains(refused.Failures, failure => failure.Contains($"Setting {settingName} is missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Under_the_functions_host_the_app_refuses_a_portal_address_that_is_not_an_absolute_web_address()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestApp.StartAsync(azurite.ConnectionString, underFunctionsHost: true, settings: new Dictionary<string, string> { ["Portal:BaseUrl"] = "portal.kpnet.example.jp" }));

        Assert.Contains(refused.Failures, failure => failure.Contains("Portal__BaseUrl must be an absolute http(s) URL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Under_the_functions_host_mail_needs_the_acs_endpoint_or_its_connection_string()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestApp.StartAsync(azurite.ConnectionString, underFunctionsHost: true, settings: new Dictionary<string, string> { ["Email:Endpoint"] = "" }));

        Assert.Contains(refused.Failures, failure => failure.Contains("Set Email__Endpoint or Email__ConnectionString", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_support_contact_given_only_in_part_is_refused_even_locally()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestApp.StartAsync(azurite.ConnectionString, settings: new Dictionary<string, string> { ["Support:Name"] = "KP-NET サポートセンター" }));

        Assert.Equal(["Setting Support__Phone is missing", "Setting Support__Hours is missing"], refused.Failures.Select(f => f[..f.IndexOf(" (", StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task A_request_deadline_past_what_azures_front_ends_allow_is_refused()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestApp.StartAsync(azurite.ConnectionString, settings: new Dictionary<string, string> { ["Http:RequestTimeout"] = "00:05:00" }));

        Assert.Contains(refused.Failures, failure => failure.Contains("Http__RequestTimeout must be between", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Locally_without_a_portal_address_mails_link_to_the_port_the_app_serves_the_portal_on()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, settings: new Dictionary<string, string> { ["KPNET_PORT"] = "7391" });

        Assert.Equal("http://127.0.0.1:7391/login", app.Services.GetRequiredService<MailComposer>().PortalLink("login"));
    }
}
