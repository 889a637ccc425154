using KpNet.Configuration;
using KpNet.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace KpNet.Security;

/// <summary>
/// PBKDF2 hashes for passwords and gateway passwords, via ASP.NET Core Identity's PasswordHasher: its format carries
/// a version byte, algorithm and iteration count, so stronger settings later still verify old hashes, and a sign-in
/// with a hash weaker than the setting stores a new one.
/// </summary>
public sealed class SecretHasher
{
    /// <summary>Identity's own default for new hashes (PBKDF2-HMAC-SHA512); raise it with the setting as hardware gets faster.</summary>
    public const int DefaultIterations = 100_000;

    private sealed class Subject;

    private static readonly Subject Anyone = new();
    private readonly PasswordHasher<Subject> _hasher;

    public SecretHasher(IOptions<SecurityOptions> options) =>
        _hasher = new PasswordHasher<Subject>(Options.Create(new PasswordHasherOptions { IterationCount = options.Value.PasswordHashIterations }));

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

/// <summary>Security__PasswordHashIterations: the PBKDF2 work factor of new password hashes.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    public int PasswordHashIterations { get; set; } = SecretHasher.DefaultIterations;

    public static void AddTo(IServiceCollection services) => services.AddSettings<SecurityOptions>(Section, Problems);

    private static IEnumerable<string> Problems(SecurityOptions options, HostingMode mode) =>
        options.PasswordHashIterations < 1 ? [$"Setting {AppSettings.PasswordHashIterations.Name} must be a positive number of iterations."] : [];
}
