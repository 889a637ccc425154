using Microsoft.AspNetCore.Identity;

namespace KpNet.Security;

/// <summary>
/// PBKDF2 hashes for passwords and gateway passwords, via ASP.NET Core Identity's PasswordHasher: its format carries
/// a version byte, algorithm and iteration count, so stronger settings later still verify old hashes.
/// </summary>
public sealed class SecretHasher
{
    private sealed class Subject;

    private static readonly Subject Anyone = new();
    private readonly PasswordHasher<Subject> _hasher = new();

    public string Hash(string secret) => _hasher.HashPassword(Anyone, secret);

    public SecretVerification Verify(string hash, string secret) => _hasher.VerifyHashedPassword(Anyone, hash, secret) switch
    {
        PasswordVerificationResult.Success => SecretVerification.Valid,
        PasswordVerificationResult.SuccessRehashNeeded => SecretVerification.ValidButOutdated,
        _ => SecretVerification.Invalid,
    };
}

public enum SecretVerification
{
    Invalid,
    Valid,
    ValidButOutdated,
}
