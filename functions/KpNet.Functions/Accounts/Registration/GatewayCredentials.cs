using KpNet.Gateways;
using KpNet.Gateways.Inventory;
using KpNet.Security;

namespace KpNet.Accounts.Registration;

public abstract record GatewayCheck
{
    public sealed record Verified(InventoryGateway Gateway) : GatewayCheck;

    /// <summary>Unknown ID or wrong password: deliberately one answer, so IDs cannot be probed.</summary>
    public sealed record Wrong : GatewayCheck;

    public sealed record Throttled(TimeSpan RetryAfter) : GatewayCheck;
}

/// <summary>
/// Checks a gateway ID + password from the sheet in the box against the inventory, limiting guesses per gateway and per
/// client across instances. An unknown ID costs the same hashing work as a wrong password.
/// </summary>
public sealed class GatewayCredentials(GatewayInventory inventory, SecretHasher hasher, Throttle throttle)
{
    public static readonly ThrottleRule PerGateway = new("gateway-password", Limit: 5, Window: TimeSpan.FromMinutes(15), Lockout: TimeSpan.FromMinutes(15));
    public static readonly ThrottleRule PerClient = new("gateway-password-client", Limit: 20, Window: TimeSpan.FromMinutes(15), Lockout: TimeSpan.FromMinutes(15));

    private readonly Lazy<string> _decoyHash = new(() => hasher.Hash(SecureToken.Create()));

    /// <param name="gatewayId">Already normalised (<see cref="GatewayId.Normalize"/>) and valid.</param>
    public async Task<GatewayCheck> VerifyAsync(string gatewayId, string password, string clientAddress, CancellationToken cancellationToken)
    {
        foreach (var (rule, key) in Keys(gatewayId, clientAddress))
        {
            if (await throttle.CheckAsync(rule, key, cancellationToken) is { Allowed: false } blocked)
            {
                return new GatewayCheck.Throttled(blocked.RetryAfter);
            }
        }

        var gateway = await inventory.FindAsync(gatewayId, cancellationToken);
        var verification = hasher.Verify(gateway?.PasswordHash ?? _decoyHash.Value, password);
        if (gateway is not null && verification != SecretVerification.Invalid)
        {
            await throttle.ResetAsync(PerGateway, gatewayId, cancellationToken);
            return new GatewayCheck.Verified(gateway);
        }

        TimeSpan? retryAfter = null;
        foreach (var (rule, key) in Keys(gatewayId, clientAddress))
        {
            if (await throttle.RecordFailureAsync(rule, key, cancellationToken) is { Allowed: false } blocked)
            {
                retryAfter = blocked.RetryAfter;
            }
        }

        return retryAfter is { } wait ? new GatewayCheck.Throttled(wait) : new GatewayCheck.Wrong();
    }

    private static (ThrottleRule Rule, string Key)[] Keys(string gatewayId, string clientAddress) =>
        [(PerGateway, gatewayId), (PerClient, clientAddress)];
}
