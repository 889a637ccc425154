using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>What a user sees and does on a portal screen, by the API field paths the forms are built from.</summary>
public static class PortalPage
{
    public static ILocator Field(this IPage page, string path) => page.Locator($"[name='{path}']");

    /// <summary>The message shown under a field (the element its aria-describedby names).</summary>
    public static ILocator ErrorOf(this IPage page, string path) => page.Locator($".field:has([name='{path}']) .field-error");

    public static ILocator Heading(this IPage page) => page.Locator("h1");

    public static Task ClickButtonAsync(this IPage page, string text) =>
        page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = text, Exact = true }).ClickAsync();

    public static Task ClickLinkAsync(this IPage page, string text) =>
        page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = text, Exact = true }).ClickAsync();

    public static async Task FillAsync(this IPage page, IReadOnlyDictionary<string, string> values)
    {
        foreach (var (path, value) in values)
        {
            var field = page.Field(path);
            if (await field.EvaluateAsync<string>("e => e.tagName") == "SELECT")
            {
                await field.SelectOptionAsync(value);
            }
            else
            {
                await field.FillAsync(value);
            }
        }
    }

    /// <summary>True when the page is wider than the viewport (the user would have to scroll sideways).</summary>
    public static Task<int> ScrollWidthAsync(this IPage page) => page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");

    /// <summary>ログイン through the login screen, ending on the メインメニュー.</summary>
    public static async Task LogInAsync(this IPage page, string email, string password)
    {
        await page.GotoAsync("/login");
        await page.FillAsync(new Dictionary<string, string> { ["email"] = email, ["password"] = password });
        await page.ClickButtonAsync("ログイン");
        await Expect(page.Heading()).ToHaveTextAsync("メインメニュー");
    }

    /// <summary>Collects the console's Content-Security-Policy messages: a screen that breaks the policy fails its test.</summary>
    public static List<string> WatchCsp(this IPage page)
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                violations.Add(message.Text);
            }
        };
        return violations;
    }
}
