using KpNet.Access;
using KpNet.Hosting.Functions;
using KpNet.Hosting.Invocation;

namespace KpNet.Registration;

/// <summary>Every 10 minutes: gateways of provisional registrations whose activation link expired become free again.</summary>
public sealed class ReleaseExpiredRegistrationsFunction(RegistrationRelease release) : ITimerFunction
{
    public const string Name = "ReleaseExpiredRegistrations";
    public const string Schedule = "0 */10 * * * *";

    public Task RunAsync(TimerInput timer, CancellationToken cancellationToken) => release.SweepAsync(cancellationToken);
}
