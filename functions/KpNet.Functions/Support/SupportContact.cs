using KpNet.Configuration;
using KpNet.Http;
using Microsoft.Extensions.Options;

namespace KpNet.Support;

/// <summary>
/// Who answers customers and dealers (運営): name, phone and hours, from the settings Support__Name, Support__Phone and
/// Support__Hours. Shown in the portal's footer, beside "already registered", and in the footer of every mail, so that
/// every "お問い合わせください" says whom to call. Required under the Functions host; locally (a test app) all three
/// may be left out, and then nothing is shown.
/// </summary>
public sealed class SupportOptions
{
    public const string Section = "Support";

    public string? Name { get; set; }

    public string? Phone { get; set; }

    public string? Hours { get; set; }

    public SupportContact? Contact =>
        (Name, Phone, Hours) is ({ Length: > 0 } name, { Length: > 0 } phone, { Length: > 0 } hours) ? new SupportContact(name, phone, hours) : null;

    public static void AddTo(IServiceCollection services) => services.AddSettings<SupportOptions>(Section, Problems);

    private static IEnumerable<string> Problems(SupportOptions options, HostingMode mode)
    {
        (AppSetting Setting, string? Value)[] parts = [(AppSettings.SupportName, options.Name), (AppSettings.SupportPhone, options.Phone), (AppSettings.SupportHours, options.Hours)];
        var anySet = parts.Any(part => !string.IsNullOrWhiteSpace(part.Value));
        return mode.UnderFunctionsHost || anySet
            ? parts.Where(part => string.IsNullOrWhiteSpace(part.Value)).Select(part => Settings.Missing(part.Setting))
            : [];
    }
}

public sealed record SupportContact(string Name, string Phone, string Hours)
{
    /// <summary>The contact line of a mail: "お問い合わせ：KP-NET サポートセンター 電話 0120-000-000（平日 9:00〜17:00）".</summary>
    public string Line(bool english) => english ? $"Contact: {Name}, phone {Phone} ({Hours})" : $"お問い合わせ：{Name} 電話 {Phone}（{Hours}）";
}

public static class SupportApi
{
    public static IEndpointRouteBuilder MapSupport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/support", (HttpContext context, IOptions<SupportOptions> support) => support.Value.Contact is { } contact
                ? TypedResults.Ok(contact)
                : Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.NotFound))
            .WithName("SupportContact").Produces<SupportContact>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }
}
