using KpNet.Accounts.Activation;
using KpNet.Audit;
using KpNet.Hosting;
using KpNet.Http;
using KpNet.Http.Forms;
using KpNet.Notifications;
using KpNet.Security;

namespace KpNet.Accounts.Dealers;

/// <summary>Dealer accounts: sign-up (販売店様の登録), their directory and the dealer ID given at activation.</summary>
public static class DealerSignUpApi
{
    public static IServiceCollection AddDealerAccounts(this IServiceCollection services)
    {
        services.AddSingleton<DealerDirectory>();
        services.AddSingleton<IDealerNames>(provider => provider.GetRequiredService<DealerDirectory>());
        services.AddSingleton<DealerRegistrar>();
        services.AddSingleton<IMailRequestHandler, DealerSignUpRequests>();
        services.AddSingleton<IActivationStep, DealerIdAssignment>();
        services.AddSingleton(new StorageTable(DealerDirectory.TableName));
        return services;
    }

    public static IEndpointRouteBuilder MapDealerSignUp(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/dealers", SignUpAsync).WithName("DealerSignUp").AcceptsForm(form => DealerSignUp.Read(form))
            .Produces<ActivationApi.RegistrationAccepted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    /// <summary>Queued (<see cref="DealerSignUpRequests"/>), so a registered address is answered exactly as a new one.</summary>
    private static async Task<IResult> SignUpAsync(HttpContext context, MailRequests requests, ActivationLinks links, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (await JsonForm.ReadAsync(context.Request, errors, cancellationToken) is not { } form)
        {
            return Problems.Create(context, StatusCodes.Status400BadRequest, MessageKey.RegistrationBodyMalformed);
        }

        if (DealerSignUp.Read(form) is not { } signUp)
        {
            return errors.ToProblem(context);
        }

        var activationExpiresAt = links.NewExpiry();
        var language = Messages.PrefersEnglish(context) ? "en" : "ja";
        return await requests.RefuseOrQueueAsync(context, MailRequestKind.DealerSignUp, new DealerSignUpRequest(signUp, language, activationExpiresAt), cancellationToken)
            ?? TypedResults.Accepted((string?)null, new ActivationApi.RegistrationAccepted(activationExpiresAt));
    }
}
