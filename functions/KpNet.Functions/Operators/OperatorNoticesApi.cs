using System.Globalization;
using KpNet.Accounts;
using KpNet.Accounts.Sessions;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Notices;

namespace KpNet.Operators;

/// <summary>サイトからのお知らせ in the operator's console: every notice, posting and retiring.</summary>
public static partial class OperatorNoticesApi
{
    public static IEndpointRouteBuilder MapOperatorNotices(this IEndpointRouteBuilder app)
    {
        var operators = app.MapGroup("/api/operator").RequireSession(AccountRole.Admin);
        operators.MapGet("/notices", ListAllAsync).WithName("OperatorNotices").Produces<List<OperatorNoticeView>>();
        operators.MapPost("/notices", PostAsync).WithName("OperatorPostNotice").AcceptsForm(form => ReadNotice(form)).Produces<NoticeCreated>(StatusCodes.Status201Created);
        operators.MapDelete("/notices/{id}", RetireAsync).WithName("OperatorRetireNotice")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public const int MaxTitleLength = 100;
    public const int MaxBodyLength = 2000;

    public sealed record OperatorNoticeView(
        string Id, DateOnly Date, LocalizedText Title, LocalizedText Body, NoticeAudience Audience,
        DateTimeOffset? PublishFrom, DateTimeOffset? PublishUntil, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RetiredAt);

    public sealed record NoticeCreated(string Id);

    private static async Task<IResult> ListAllAsync(NoticeStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(NoticesApi.Newest(await store.ListAsync(cancellationToken))
            .Select(n => new OperatorNoticeView(n.Id, n.Date, n.Title, n.Body, n.Audience, n.PublishFrom, n.PublishUntil, n.CreatedAt, n.CreatedBy, n.RetiredAt))
            .ToList());

    private static async Task<IResult> PostAsync(HttpContext context, NoticeStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        if (ReadNotice(form) is not { } posted)
        {
            return errors.ToProblem(context);
        }

        var user = context.RequireCurrentUser();
        var notice = await store.AddAsync(posted.Date, posted.Title, posted.Body, posted.Audience, posted.PublishFrom, posted.PublishUntil, user.UserId, cancellationToken);
        LogPosted(loggers.CreateLogger(typeof(OperatorNoticesApi)), notice.Id, notice.Audience, user.UserId);
        return TypedResults.Created($"/api/operator/notices/{notice.Id}", new NoticeCreated(notice.Id));
    }

    private sealed record PostedNotice(DateOnly Date, LocalizedText Title, LocalizedText Body, NoticeAudience Audience, DateTimeOffset? PublishFrom, DateTimeOffset? PublishUntil);

    /// <summary>{"date","title":{"ja","en"?},"body":{"ja","en"?},"audience","publishFrom"?,"publishUntil"?}.</summary>
    private static PostedNotice? ReadNotice(JsonForm form)
    {
        var date = ParseDate(form, "date");
        var title = ReadText(form, "title", MaxTitleLength, path => form.RawText(path)?.Trim());
        var body = ReadText(form, "body", MaxBodyLength, form.MultilineText);
        var audience = ParseAudience(form);
        var publishFrom = ParseInstant(form, "publishFrom");
        var publishUntil = ParseInstant(form, "publishUntil");
        if (publishFrom is not null && publishUntil is not null && publishUntil <= publishFrom)
        {
            form.Errors.Add("publishUntil", MessageKey.NoticePublishWindowInvalid);
        }

        return form.Errors.Any ? null : new PostedNotice(date!.Value, title!, body!, audience!.Value, publishFrom, publishUntil);
    }

    private static async Task<IResult> RetireAsync(HttpContext context, string id, NoticeStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var user = context.RequireCurrentUser();
        if (!await store.RetireAsync(id, user.UserId, cancellationToken))
        {
            return Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.NotFound);
        }

        LogRetired(loggers.CreateLogger(typeof(OperatorNoticesApi)), id, user.UserId);
        return TypedResults.NoContent();
    }

    private static DateOnly? ParseDate(JsonForm form, string path)
    {
        form.Rules(path, new FieldRules { Pattern = CustomerFields.DatePattern, Description = "The date the notice bears (yyyy-MM-dd or yyyy/MM/dd)." });
        var value = form.Text(path);
        if (value is null)
        {
            form.Errors.TryAdd(path, MessageKey.Required);
            return null;
        }

        if (DateOnly.TryParseExact(value.Replace('/', '-'), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        form.Errors.Add(path, MessageKey.NoticeDateInvalid);
        return null;
    }

    private static DateTimeOffset? ParseInstant(JsonForm form, string path)
    {
        form.Rules(path, new FieldRules { Format = "date-time", Description = "An instant; without an offset it is read as UTC." });
        var value = form.Text(path);
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return instant;
        }

        form.Errors.Add(path, MessageKey.NoticeDateTimeInvalid);
        return null;
    }

    /// <summary>{"ja","en"}: the operator's text as written (trimmed, not normalised; a body may span lines), Japanese required.</summary>
    private static LocalizedText? ReadText(JsonForm form, string path, int maxLength, Func<string, string?> read)
    {
        form.Rules(path + ".ja", new FieldRules { MaxLength = maxLength });
        form.Rules(path + ".en", new FieldRules { MaxLength = maxLength });
        var japanese = read(path + ".ja");
        var english = read(path + ".en");
        if (string.IsNullOrEmpty(japanese))
        {
            form.Errors.TryAdd(path + ".ja", MessageKey.Required);
        }
        else if (japanese.Length > maxLength)
        {
            form.Errors.Add(path + ".ja", MessageKey.NoticeFieldTooLong, maxLength);
        }

        if (english is { Length: > 0 } && english.Length > maxLength)
        {
            form.Errors.Add(path + ".en", MessageKey.NoticeFieldTooLong, maxLength);
        }

        return string.IsNullOrEmpty(japanese) ? null : new LocalizedText(japanese, string.IsNullOrEmpty(english) ? null : english);
    }

    private static NoticeAudience? ParseAudience(JsonForm form)
    {
        form.Rules("audience", new FieldRules { Values = ["all", "customers", "dealers", "admins"], Description = "Who sees it; case is ignored." });
        var value = form.Text("audience");
        NoticeAudience? audience = value?.ToLowerInvariant() switch
        {
            "all" => NoticeAudience.All,
            "customers" => NoticeAudience.Customers,
            "dealers" => NoticeAudience.Dealers,
            "admins" => NoticeAudience.Admins,
            _ => null,
        };
        if (audience is null)
        {
            form.Errors.TryAdd("audience", value is null ? MessageKey.Required : MessageKey.NoticeAudienceInvalid);
        }

        return audience;
    }

    [LoggerMessage(EventId = 6000, EventName = "NoticePosted", Level = LogLevel.Information, Message = "Notice {NoticeId} for {Audience} posted by {UserId}")]
    private static partial void LogPosted(ILogger logger, string noticeId, NoticeAudience audience, string userId);

    [LoggerMessage(EventId = 6001, EventName = "NoticeRetired", Level = LogLevel.Information, Message = "Notice {NoticeId} retired by {UserId}")]
    private static partial void LogRetired(ILogger logger, string noticeId, string userId);
}
