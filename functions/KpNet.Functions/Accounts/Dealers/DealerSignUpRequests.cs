using KpNet.Notifications;
using KpNet.Security;

namespace KpNet.Accounts.Dealers;

/// <summary>POST /api/dealers as queued, with the activation deadline its caller was told.</summary>
public sealed record DealerSignUpRequest(DealerSignUp Form, string Language, DateTimeOffset ActivationExpiresAt);

/// <summary>Signs the dealer up: a new account and its link, or, for an address that has an account, a notice or a fresh link.</summary>
public sealed class DealerSignUpRequests(DealerRegistrar registrar) : IMailRequestHandler
{
    public MailRequestKind Kind => MailRequestKind.DealerSignUp;

    public async Task HandleAsync(MailRequest request, CancellationToken cancellationToken)
    {
        var signUp = request.Read<DealerSignUpRequest>();
        await registrar.SignUpAsync(signUp.Form, signUp.Language, signUp.ActivationExpiresAt, cancellationToken);
    }
}
