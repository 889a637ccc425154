using System.Globalization;
using KpNet.Accounts;
using KpNet.Accounts.Sessions;
using KpNet.Http;

namespace KpNet.Notices;

/// <summary>サイトからのお知らせ: GET /api/notices for everyone, scoped by role (operators post and retire them in their console).</summary>
public static class NoticesApi
{
    public sealed record NoticeView(string Id, DateOnly Date, string Title, string Body, NoticeAudience Audience);

    public static IEndpointRouteBuilder MapNotices(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/notices", ListVisibleAsync).WithName("Notices").Produces<List<NoticeView>>();

        return app;
    }

    /// <summary>The audiences a caller may read: anonymous callers only 全公開, operators everything.</summary>
    public static IReadOnlySet<NoticeAudience> AudiencesFor(AccountRole? role) => role switch
    {
        null => new HashSet<NoticeAudience> { NoticeAudience.All },
        AccountRole.Customer => new HashSet<NoticeAudience> { NoticeAudience.All, NoticeAudience.Customers },
        AccountRole.Dealer => new HashSet<NoticeAudience> { NoticeAudience.All, NoticeAudience.Dealers },
        AccountRole.Admin => Enum.GetValues<NoticeAudience>().ToHashSet(),
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    private static async Task<IResult> ListVisibleAsync(HttpContext context, NoticeStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var audiences = AudiencesFor(context.GetCurrentUser()?.Role);
        var english = Messages.PrefersEnglish(context);
        var now = time.GetUtcNow();
        var notices = await store.ListAsync(cancellationToken);
        return TypedResults.Ok(Newest(notices.Where(n => n.IsListedAt(now) && audiences.Contains(n.Audience)))
            .Select(n => new NoticeView(n.Id, n.Date, n.Title.For(english), n.Body.For(english), n.Audience))
            .ToList());
    }

    /// <summary>Newest date first; among notices of one date the one posted last first (ids sort newest first).</summary>
    public static IEnumerable<Notice> Newest(IEnumerable<Notice> notices) =>
        notices.OrderByDescending(n => n.Date).ThenBy(n => n.Id, StringComparer.Ordinal);
}
