using KpNet.Configuration;
using KpNet.Http.Forms;

namespace KpNet.Accounts;

/// <summary>Admin__FirstAdminEmail: the operator's first account; registering (or activating) with it yields the admin role.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string? FirstAdminEmail { get; set; }

    public bool IsFirstAdmin(string email) => FirstAdminEmail is { Length: > 0 } admin && EmailKey.For(admin) == EmailKey.For(email);

    public static void AddTo(IServiceCollection services) => services.AddSettings<AdminOptions>(Section, Problems);

    private static IEnumerable<string> Problems(AdminOptions options, HostingMode mode) =>
        options.FirstAdminEmail is { Length: > 0 } email && !email.Contains('@', StringComparison.Ordinal)
            ? [$"Setting {AppSettings.FirstAdminEmail.Name} must be an e-mail address, not \"{email}\"."]
            : [];
}
