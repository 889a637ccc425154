using System.Text.Json.Serialization;
using KpNet.Access;
using KpNet.Accounts.Activation;
using KpNet.Hosting;
using KpNet.Hosting.Functions;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Inventory;
using KpNet.Notifications;
using KpNet.Security;

namespace KpNet.Registration;

/// <summary>
/// Customer registration (仮登録), which claims the gateway provisionally; the gateway check before it is the gateways' (POST /api/gateways/verify).
/// </summary>
public static class RegistrationApi
{
    public sealed record UnitView(int UnitNo, string? Model, string? Serial);

    /// <param name="Product">"kpac-b" or "multi-v2x" (<see cref="ProductLines.Name"/>): the confirmation shows the KPAC-B warranty block only for KPAC-B.</param>
    public sealed record GatewayView(string Id, string Model, string Serial, string? Product, DateTimeOffset? FirstCommunicatedAt, IReadOnlyList<UnitView> Units);

    public static IServiceCollection AddRegistration(this IServiceCollection services)
    {
        services.AddSingleton<InterruptedRegistrations>();
        services.AddSingleton<CustomerRegistrar>();
        services.AddSingleton<IMailRequestHandler, CustomerRegistrationRequests>();
        foreach (var table in new[] { InterruptedRegistrations.TableName })
        {
            services.AddSingleton(new StorageTable(table));
        }

        services.AddTimerFunction<ReleaseExpiredRegistrationsFunction>(ReleaseExpiredRegistrationsFunction.Name, ReleaseExpiredRegistrationsFunction.Schedule);
        services.AddTimerFunction<RepairInterruptedRegistrationsFunction>(RepairInterruptedRegistrationsFunction.Name, RepairInterruptedRegistrationsFunction.Schedule);
        return services;
    }

    public static IEndpointRouteBuilder MapRegistration(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/accounts", RegisterAsync).WithName("RegisterCustomer").AcceptsForm(form => CustomerRegistration.Read(form, DateOnly.MaxValue))
            .Produces<ActivationApi.RegistrationAccepted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
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
            RegistrationOutcome.Accepted accepted => TypedResults.Accepted((string?)null, new ActivationApi.RegistrationAccepted(accepted.ActivationExpiresAt)),
            RegistrationOutcome.GatewayRejected rejected => GatewayRefused(context, registration.GatewayId, rejected.Check, logger, "gateway.id", "gateway.password"),
            _ => Problems.Create(context, StatusCodes.Status409Conflict, MessageKey.RegistrationGatewayTaken),
        };
    }

    /// <summary>Wrong credentials, named on both fields (which one was wrong is not told), or 429 while guessing is throttled.</summary>
    public static IResult GatewayRefused(HttpContext context, string gatewayId, GatewayCheck check, ILogger logger, string idPath, string passwordPath)
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
}
