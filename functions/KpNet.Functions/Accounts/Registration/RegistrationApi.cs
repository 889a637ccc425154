using System.Text.Json.Serialization;
using KpNet.Gateways;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Http;
using KpNet.Notifications;
using KpNet.Security;
using KpNet.Telemetry;

namespace KpNet.Accounts.Registration;

/// <summary>
/// Public registration endpoints: terms of use, gateway check, customer registration, activation and new links.
/// </summary>
public static class RegistrationApi
{
    public sealed record TermsView(string Version, string Text);

    public sealed record UnitView(int UnitNo, string? Model, string? Serial);

    /// <param name="Product">"kpac-b" or "multi-v2x" (<see cref="GatewayViews.ProductName"/>): the confirmation shows the KPAC-B warranty block only for KPAC-B.</param>
    public sealed record GatewayView(string Id, string Model, string Serial, string? Product, DateTimeOffset? FirstCommunicatedAt, IReadOnlyList<UnitView> Units);

    public sealed record RegistrationAccepted(DateTimeOffset ActivationExpiresAt);

    public sealed record ActivationView(string Email, string Name, string Kind, DateTimeOffset ExpiresAt);

    public sealed record ActivationDone(string Email, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DealerId);

    public static IServiceCollection AddRegistration(this IServiceCollection services)
    {
        services.AddSingleton<GatewayCredentials>();
        services.AddSingleton<GatewayClaims>();
        services.AddSingleton<CustomerSites>();
        services.AddSingleton<ActivationTokens>();
        services.AddSingleton<RegistrationExpiries>();
        services.AddSingleton<InterruptedRegistrations>();
        services.AddSingleton<RegistrationMailer>();
        services.AddSingleton<RegistrationRelease>();
        services.AddSingleton<ActivationLinks>();
        services.AddSingleton<CustomerRegistrar>();
        services.AddSingleton<AccountActivation>();
        services.AddSingleton<IMailRequestHandler, CustomerRegistrationRequests>();
        services.AddSingleton<IMailRequestHandler, ActivationLinkRequests>();
        foreach (var table in new[] { GatewayClaims.TableName, CustomerSites.TableName, ActivationTokens.TableName, RegistrationExpiries.TableName, InterruptedRegistrations.TableName })
        {
            services.AddSingleton(new StorageTable(table));
        }

        services.AddTimerFunction<ReleaseExpiredRegistrationsFunction>(ReleaseExpiredRegistrationsFunction.Name, ReleaseExpiredRegistrationsFunction.Schedule);
        services.AddTimerFunction<RepairInterruptedRegistrationsFunction>(RepairInterruptedRegistrationsFunction.Name, RepairInterruptedRegistrationsFunction.Schedule);
        return services;
    }

    public static IEndpointRouteBuilder MapRegistration(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/terms", GetTerms).WithName("Terms");
        app.MapPost("/api/gateways/verify", VerifyGatewayAsync).WithName("VerifyGateway").AcceptsForm(form => ReadGatewayCheck(form))
            .Produces<GatewayView>().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        app.MapPost("/api/accounts", RegisterAsync).WithName("RegisterCustomer").AcceptsForm(form => CustomerRegistration.Read(form, DateOnly.MaxValue))
            .Produces<RegistrationAccepted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        app.MapGet("/api/activations/{token}", GetActivationAsync).WithName("Activation").Produces<ActivationView>().ProducesActivationRefusals();
        app.MapPost("/api/activations/{token}", ActivateAsync).WithName("Activate").AcceptsForm(form => AccountActivation.ReadPassword(form))
            .Produces<ActivationDone>().ProducesActivationRefusals();
        app.MapPost("/api/activations", RequestNewLinkAsync).WithName("RequestActivationLink").AcceptsForm(form => CustomerFields.Email(form, "email"))
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static TermsView GetTerms(HttpContext context) => new(TermsOfUse.Version, TermsOfUse.Text(Messages.PrefersEnglish(context)));

    private static async Task<IResult> VerifyGatewayAsync(
        HttpContext context, GatewayCredentials credentials, GatewayClaims claims, RegistrationRelease release, GatewayStatusStore statuses,
        ILogger<GatewayCredentials> logger, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        var (id, password) = ReadGatewayCheck(form);
        if (errors.Any)
        {
            return errors.ToProblem(context);
        }

        var check = await credentials.VerifyAsync(id!, password!, ClientAddress.Of(context), cancellationToken);
        if (check is not GatewayCheck.Verified { Gateway: var gateway })
        {
            return GatewayRefused(context, id!, check, logger, "id", "password");
        }

        if (await claims.FindAsync(gateway.Id, cancellationToken) is { } claim && !await release.TryReleaseAsync(claim, cancellationToken))
        {
            return Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.RegistrationGatewayTaken);
        }

        var status = await statuses.GetAsync(gateway.Id, cancellationToken);
        return TypedResults.Ok(new GatewayView(gateway.Id, gateway.Model, gateway.Serial, GatewayViews.ProductName(gateway.Product), status?.FirstCommunicatedAt,
            (status?.UnitConfiguration ?? []).Select(u => new UnitView(u.UnitNo, u.Model, u.Serial)).ToList()));
    }

    private static async Task<IResult> RegisterAsync(
        HttpContext context, CustomerRegistrar registrar, MailRequests requests, TimeProvider time, ILogger<CustomerRegistrar> logger,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        if (CustomerRegistration.Read(form, JapanTime.DateOf(time.GetUtcNow())) is not { } read)
        {
            return errors.ToProblem(context);
        }

        var (registration, gatewayPassword) = read;

        if (await requests.RefusalAsync(context, MailRequestKind.Registration, cancellationToken) is { } refused)
        {
            return refused;
        }

        var language = Messages.PrefersEnglish(context) ? "en" : "ja";
        return await registrar.RegisterAsync(registration, gatewayPassword, language, ClientAddress.Of(context), cancellationToken) switch
        {
            RegistrationOutcome.Accepted accepted => TypedResults.Accepted((string?)null, new RegistrationAccepted(accepted.ActivationExpiresAt)),
            RegistrationOutcome.GatewayRejected rejected => GatewayRefused(context, registration.GatewayId, rejected.Check, logger, "gateway.id", "gateway.password"),
            _ => Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.RegistrationGatewayTaken),
        };
    }

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

    /// <summary>{"id","password"}: the gateway's credentials from the sheet in its box.</summary>
    private static (string? Id, string? Password) ReadGatewayCheck(JsonForm form)
    {
        var id = CustomerRegistration.ReadGatewayId(form, "id");
        var password = form.RawText("password");
        if (password is null && !form.Errors.Paths.Contains("password"))
        {
            form.Errors.Add("password", MessageKey.Required);
        }

        return (id, password);
    }

    private static IResult GatewayRefused(HttpContext context, string gatewayId, GatewayCheck check, ILogger logger, string idPath, string passwordPath)
    {
        if (check is GatewayCheck.Throttled { RetryAfter: var retryAfter })
        {
            logger.GatewayGuessingThrottled(gatewayId, retryAfter);
            return Problems.TooManyAttempts(context, retryAfter);
        }

        logger.GatewayCredentialsRejected(gatewayId);
        return new ValidationErrors()
            .Add(idPath, MessageKey.RegistrationGatewayCredentialsWrong)
            .Add(passwordPath, MessageKey.RegistrationGatewayCredentialsWrong)
            .ToProblem(context);
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
