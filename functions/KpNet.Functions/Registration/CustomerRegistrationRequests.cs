using KpNet.Notifications;
using KpNet.Security;

namespace KpNet.Registration;

/// <summary>Completes a registration whose gateway the request claimed (<see cref="CustomerRegistrar.CompleteAsync"/>).</summary>
public sealed class CustomerRegistrationRequests(CustomerRegistrar registrar) : IMailRequestHandler
{
    public MailRequestKind Kind => MailRequestKind.Registration;

    public Task HandleAsync(MailRequest request, CancellationToken cancellationToken) =>
        registrar.CompleteAsync(request.Read<CustomerRegistrationRequest>(), cancellationToken);
}
