using System.Diagnostics.CodeAnalysis;
using KpNet.Tests.Infrastructure;
using Microsoft.Playwright;

namespace KpNet.Tests.Portal;

/// <summary>
/// One app serving the built portal and one headless Debian Chromium for all the browser tests (a collection fixture:
/// the app starts on the first test, on a storage account of its own). Pages are screenshotted to TestResults/screenshots/.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "xunit disposes class fixtures through IAsyncLifetime.DisposeAsync.")]
public sealed class PortalSite : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>運営 as the portal's app is configured (Support__Name, Support__Phone, Support__Hours).</summary>
    public const string SupportName = "KP-NET サポートセンター";

    private static readonly string[] ChromiumArguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly SemaphoreSlim _starting = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private TestApp? _app;

    public static string ScreenshotFolder { get; } = Path.Combine(RepositoryRoot.Path, "TestResults", "screenshots");

    public TestApp App => _app ?? throw new InvalidOperationException("Call StartAsync first.");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task StartAsync()
    {
        await _starting.WaitAsync();
        try
        {
            if (_app is not null)
            {
                return;
            }

            await PortalBuild.EnsureBuiltAsync();
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ChromiumArguments,
            });
            _app = await TestApp.StartAsync(await AzuriteFixture.LeaseAccountAsync(), settings: new Dictionary<string, string>
            {
                ["Portal:StaticFiles"] = PortalBuild.Folder,
                ["Support:Name"] = SupportName,
                ["Support:Phone"] = "0120-000-000",
                ["Support:Hours"] = "平日 9:00〜17:00",
            });
        }
        finally
        {
            _starting.Release();
        }
    }

    /// <summary>A fresh browser context (own cookies and localStorage) at the given viewport, on the app's origin.</summary>
    public async Task<IPage> NewPageAsync(int width = 1024, int height = 900)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "ja-JP",
            TimezoneId = "Asia/Tokyo",
        });
        var page = await context.NewPageAsync();

        // Actions and assertions wait alike: on a loaded 2-core machine a screen can take longer than Playwright's 5 s
        // assertion default to show what its requests fetched.
        page.SetDefaultTimeout(15_000);
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(15_000);
        return page;
    }

    /// <summary>Saves the screen as TestResults/screenshots/{name}.png, then fails on any WCAG 2 A/AA violation axe-core finds on it.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
        await Accessibility.AssertNoViolationsAsync(page, name);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _starting.Dispose();
    }
}

/// <summary>The browser tests share one browser and one app, and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalSite>
{
    public const string Name = "Portal";
}
