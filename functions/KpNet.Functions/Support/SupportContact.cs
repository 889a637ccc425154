using KpNet.Hosting;
using KpNet.Http;

namespace KpNet.Support;

/// <summary>
/// Who answers customers and dealers (運営): name, phone and hours, from the settings Support__Name, Support__Phone and
/// Support__Hours. Shown in the portal's footer, beside "already registered", and in the footer of every mail, so that
/// every "お問い合わせください" says whom to call. Without the settings (a test app) nothing is shown.
/// </summary>
public sealed record SupportContact(string Name, string Phone, string Hours)
{
    public static SupportContact? From(IConfiguration configuration) =>
        (configuration[AppSettings.SupportName.Key], configuration[AppSettings.SupportPhone.Key], configuration[AppSettings.SupportHours.Key]) is
            ({ Length: > 0 } name, { Length: > 0 } phone, { Length: > 0 } hours)
            ? new SupportContact(name, phone, hours)
            : null;

    /// <summary>The contact line of a mail: "お問い合わせ：KP-NET サポートセンター 電話 0120-000-000（平日 9:00〜17:00）".</summary>
    public string Line(bool english) => english ? $"Contact: {Name}, phone {Phone} ({Hours})" : $"お問い合わせ：{Name} 電話 {Phone}（{Hours}）";
}

public static class SupportApi
{
    public static IEndpointRouteBuilder MapSupport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/support", (HttpContext context, IConfiguration configuration) => SupportContact.From(configuration) is { } contact
                ? TypedResults.Ok(contact)
                : Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.NotFound))
            .WithName("SupportContact").Produces<SupportContact>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }
}
