using System.Text.Json.Serialization;
using KpNet.Hosting;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Notifications;
using KpNet.Security;

namespace KpNet.Accounts.Activation;

/// <summary>Terms of use, 本登録 by the mailed link (customers and dealers alike), and asking for a new link.</summary>
public static class ActivationApi
{
    public sealed record TermsView(string Version, string Text);

    /// <summary>A registration was accepted: the activation link mailed expires at this time.</summary>
    public sealed record RegistrationAccepted(DateTimeOffset ActivationExpiresAt);

    public sealed record ActivationView(string Email, string Name, string Kind, DateTimeOffset ExpiresAt);

    public sealed record ActivationDone(string Email, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DealerId);

    public static IServiceCollection AddActivation(this IServiceCollection services)
    {
        services.AddSingleton<ActivationTokens>();
        services.AddSingleton<RegistrationMailer>();
        services.AddSingleton<ActivationLinks>();
        services.AddSingleton<AccountActivation>();
        services.AddSingleton<IMailRequestHandler, ActivationLinkRequests>();
        services.AddSingleton(new StorageTable(ActivationTokens.TableName));
        return services;
    }

    public static IEndpointRouteBuilder MapActivation(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/terms", GetTerms).WithName("Terms");
        app.MapGet("/api/activations/{token}", GetActivationAsync).WithName("Activation").Produces<ActivationView>().ProducesActivationRefusals();
        app.MapPost("/api/activations/{token}", ActivateAsync).WithName("Activate").AcceptsForm(form => AccountActivation.ReadPassword(form))
            .Produces<ActivationDone>().ProducesActivationRefusals();
        app.MapPost("/api/activations", RequestNewLinkAsync).WithName("RequestActivationLink").AcceptsForm(form => CustomerFields.Email(form, "email"))
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static TermsView GetTerms(HttpContext context) => new(TermsOfUse.Version, TermsOfUse.Text(Messages.PrefersEnglish(context)));

    private static async Task<IResult> GetActivationAsync(HttpContext context, string token, AccountActivation activation, CancellationToken cancellationToken)
    {
        var (link, refusal) = await activation.OpenAsync(token, cancellationToken);
        return link is null
            ? Refused(context, refusal!)
            : TypedResults.Ok(new ActivationView(link.Account.Email, RegistrationMailer.DisplayName(link.Account),
                link.Token.Kind.ToString().ToLowerInvariant(), link.Token.ExpiresAt));
    }

    private static async Task<IResult> ActivateAsync(HttpContext context, string token, AccountActivation activation, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        return await activation.ActivateAsync(token, form, cancellationToken) switch
        {
            ActivationOutcome.Activated { Account: var account } => TypedResults.Ok(new ActivationDone(account.Email, account.DealerId)),
            var refusal => Refused(context, refusal),
        };
    }

    /// <summary>202 for any well-formed address, queued: <see cref="ActivationLinkRequests"/> mails a fresh link only to a provisional account.</summary>
    private static async Task<IResult> RequestNewLinkAsync(HttpContext context, MailRequests requests, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        if (CustomerFields.Email(form, "email") is not { } email)
        {
            return errors.ToProblem(context);
        }

        return await requests.RefuseOrQueueAsync(context, MailRequestKind.ActivationLink, new ActivationLinkRequest(email), cancellationToken)
            ?? TypedResults.Accepted((string?)null);
    }

    /// <summary>What <see cref="Refused"/> answers besides field errors.</summary>
    private static RouteHandlerBuilder ProducesActivationRefusals(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static IResult Refused(HttpContext context, ActivationOutcome outcome) => outcome switch
    {
        ActivationOutcome.UnknownLink => Problems.Create(context, StatusCodes.Status404NotFound, MessageKey.ActivationLinkUnknown),
        ActivationOutcome.Invalid { Errors: var errors } => errors.ToProblem(context),
        ActivationOutcome.Throttled { RetryAfter: var retryAfter } => Problems.TooManyAttempts(context, retryAfter),
        _ => Problems.Create(context, StatusCodes.Status410Gone, MessageKey.ActivationLinkGone),
    };
}
