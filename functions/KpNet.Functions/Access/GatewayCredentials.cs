using KpNet.Inventory;
using KpNet.Observability;
using KpNet.Security;

namespace KpNet.Access;

public abstract record GatewayCheck
{
    public sealed record Verified(InventoryGateway Gateway) : GatewayCheck;

    /// <summary>Unknown ID or wrong password: deliberately one answer, so IDs cannot be probed.</summary>
    public sealed record Wrong : GatewayCheck;

    public sealed record Throttled(TimeSpan RetryAfter) : GatewayCheck;
}

/// <summary>
/// Checks a gateway ID + password from the sheet in the box against the inventory under <see cref="Limits"/> (see
/// <see cref="GuessLimits"/>), so the gateway itself and its owner's known clients are never locked out by guessers.
/// An unknown ID costs the same hashing work as a wrong password.
/// </summary>
public sealed class GatewayCredentials(GatewayInventory inventory, SecretHasher hasher, GuessGuard guard, KpNetMetrics metrics)
{
    /// <summary>20 failures per client per 15 minutes; 5 per gateway and client; 20 per gateway an hour from clients that never got it right.</summary>
    public static readonly GuessLimits Limits = GuessLimits.For("gateway-password", perClient: 20, perAccountPerHour: 20);

    private readonly Lazy<string> _decoyHash = new(() => hasher.Hash(SecureToken.Create()));

    /// <param name="gatewayId">Already normalised (<see cref="GatewayId.Normalize"/>) and valid.</param>
    public async Task<GatewayCheck> VerifyAsync(string gatewayId, string password, string clientAddress, CancellationToken cancellationToken)
    {
        if (await guard.RefusalAsync(Limits, gatewayId, clientAddress, cancellationToken) is { } wait)
        {
            metrics.AuthFailure(AuthFailureKind.Gateway, blocked: true);
            return new GatewayCheck.Throttled(wait);
        }

        var gateway = await inventory.FindAsync(gatewayId, cancellationToken);
        var verification = hasher.Verify(gateway?.PasswordHash ?? _decoyHash.Value, password);
        if (gateway is not null && verification != SecretVerification.Invalid)
        {
            await guard.SucceededAsync(Limits, gatewayId, clientAddress, cancellationToken);
            return new GatewayCheck.Verified(gateway);
        }

        var locked = await guard.FailedAsync(Limits, gatewayId, clientAddress, cancellationToken);
        metrics.AuthFailure(AuthFailureKind.Gateway, blocked: locked is not null);
        return locked is { } lockedFor ? new GatewayCheck.Throttled(lockedFor) : new GatewayCheck.Wrong();
    }
}
