using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KpNet.Tests.Portal;

/// <summary>What a user sees and does on a portal screen, by the API field paths the forms are built from.</summary>
public static class PortalPage
{
    /// <summary>Text in Japanese script (kana, kanji, CJK and full-width punctuation).</summary>
    private const string FindJapanese = """
        () => {
          const japanese = /[\u3000-\u30ff\u3400-\u9fff\uff01-\uff60]/;
          const data = (element) => element.closest('[lang="ja"], .notice-title, .notice-body') !== null
            || (element.closest('select[name$="prefecture"] option') !== null && element.closest('option').value !== '');
          const found = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent.trim();
            if (japanese.test(text) && !data(node.parentElement)) found.push(text);
          }
          for (const element of document.body.querySelectorAll('[placeholder], [aria-label], [title], [alt]')) {
            for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
              const value = element.getAttribute(name);
              if (value && japanese.test(value) && !data(element)) found.push(`${name}="${value}"`);
            }
          }
          if (japanese.test(document.title)) found.push(`title "${document.title}"`);
          return found;
        }
        """;

    public static ILocator Field(this IPage page, string path) => page.Locator($"[name='{path}']");

    /// <summary>The message shown under a field (the element its aria-describedby names).</summary>
    public static ILocator ErrorOf(this IPage page, string path) => page.Locator($".field:has([name='{path}']) .field-error");

    public static ILocator Heading(this IPage page) => page.Locator("h1");

    public static Task ClickButtonAsync(this IPage page, string text) =>
        page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = text, Exact = true }).ClickAsync();

    /// <summary>A link of the screen itself (the header's links are <see cref="ClickHeaderLinkAsync"/>).</summary>
    public static Task ClickLinkAsync(this IPage page, string text) =>
        page.Locator("main").GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = text, Exact = true }).ClickAsync();

    public static Task ClickHeaderLinkAsync(this IPage page, string text) =>
        page.Locator("header").GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = text, Exact = true }).ClickAsync();

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

    /// <summary>
    /// Headings, labels, table cells and values where a line break falls inside a word: between two katakana, two Latin
    /// letters or digits (an ID, a serial number), or, in labels, buttons and the site title, between two kanji; unless the
    /// word is wider than its box.
    /// </summary>
    public static Task<string[]> WordsBrokenAcrossLinesAsync(this IPage page) => page.EvaluateAsync<string[]>("""
        () => {
          const anywhere = 'h1, h2, dt, dd, th, td, label, legend, .site-title, button, .button';
          const kinds = [[/[ァ-ヶー]/, anywhere], [/[A-Za-z0-9]/, anywhere], [/[\u3400-\u9fff々]/, 'dt, th, label, legend, .site-title, button, .button']];
          // A word wider than its box (a long e-mail address on a phone) has to break somewhere; Latin words run to the next space.
          const fitsOneLine = (node, at, word, element) => {
            const token = /[A-Za-z0-9]/.test(node.data[at]) ? /[!-~]/ : word;
            let start = at, end = at;
            while (start > 0 && token.test(node.data[start - 1])) start--;
            while (end < node.data.length && token.test(node.data[end])) end++;
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, end);
            const width = [...range.getClientRects()].reduce((total, r) => total + r.width, 0);
            return width <= element.clientWidth;
          };
          const broken = new Set();
          for (const [word, selector] of kinds) {
            for (const element of document.querySelectorAll(selector)) {
              if (element.closest('[hidden]')) continue;
              let previous = null;
              const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (let i = 0; i < node.data.length; i++) {
                  const range = document.createRange();
                  range.setStart(node, i);
                  range.setEnd(node, i + 1);
                  const rect = range.getClientRects()[0];
                  if (!rect || /\s/.test(node.data[i])) { previous = null; continue; }
                  if (previous && rect.top > previous.top + rect.height / 2 && word.test(previous.c) && word.test(node.data[i])
                    && fitsOneLine(node, i, word, element)) {
                    broken.add(element.textContent.trim());
                  }
                  previous = { top: rect.top, c: node.data[i] };
                }
              }
            }
          }
          return [...broken];
        }
        """);

    /// <summary>Every text, label, placeholder and the title is English; Japanese remains only inside the user's own data.</summary>
    public static async Task AssertEnglishAsync(this IPage page, string name, string[] data)
    {
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        var japanese = (await page.EvaluateAsync<string[]>(FindJapanese))
            .Where(text => Regex.IsMatch(data.OrderByDescending(d => d.Length).Aggregate(text, (rest, d) => rest.Replace(d, "", StringComparison.Ordinal)), @"[\u3000-\u30ff\u3400-\u9fff\uff01-\uff60]"))
            .ToList();
        await PortalSite.ScreenshotAsync(page, "80-english-" + name);
        Assert.True(japanese.Count == 0, $"{name} in English still shows: {string.Join(" | ", japanese)}");
    }

    /// <summary>Logs in through the login screen and waits for the menu.</summary>
    public static async Task LogInAsync(this IPage page, string email, string password)
    {
        await page.GotoAsync("/login");
        await page.FillAsync(new Dictionary<string, string> { ["email"] = email, ["password"] = password });
        await page.ClickButtonAsync("ログイン");
        await Assertions.Expect(page.Heading()).ToHaveTextAsync("メインメニュー");
    }

    /// <summary>Switches the login screen to English, logs in and waits for the menu.</summary>
    public static async Task LogInInEnglishAsync(this IPage page, string email, string password)
    {
        await page.GotoAsync("/login");
        await page.ClickButtonAsync("Switch to English");
        await page.FillAsync(new Dictionary<string, string> { ["email"] = email, ["password"] = password });
        await page.ClickButtonAsync("Log in");
        await Assertions.Expect(page.Heading()).ToHaveTextAsync("Main menu");
    }

    /// <summary>True when the page is wider than the viewport (the user would have to scroll sideways).</summary>
    public static Task<int> ScrollWidthAsync(this IPage page) => page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");

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
