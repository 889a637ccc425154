using System.Text.Json;
using Microsoft.Playwright;

namespace KpNet.Tests.Portal;

/// <summary>
/// axe-core (pinned in portal/package.json, read from portal/node_modules: no CDN) run on a screen as it is shown.
/// It is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern, so the
/// portal keeps its strict CSP and the tests still see every CSP message the portal itself would cause.
/// </summary>
public static class Accessibility
{
    /// <summary>WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe-core's rule tags).</summary>
    private static readonly string[] Levels = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    private static readonly Lazy<string> AxeSource = new(() =>
        File.ReadAllText(Path.Combine(PortalBuild.Folder, "..", "node_modules", "axe-core", "axe.min.js")));

    public static async Task AssertNoViolationsAsync(IPage page, string screen)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            await page.EvaluateAsync(AxeSource.Value);
        }

        var violations = await page.EvaluateAsync<JsonElement>(
            "levels => axe.run(document, { runOnly: { type: 'tag', values: levels }, resultTypes: ['violations'] })"
            + ".then(result => result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map(n => n.target.join(' ')).join(', ')}`))",
            Levels);
        var found = violations.EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.True(found.Count == 0, $"axe-core finds WCAG A/AA violations on {screen}:\n{string.Join("\n", found)}");
    }
}
