using Microsoft.Extensions.Options;

namespace KpNet.Configuration;

/// <summary>
/// Settings are options classes bound from configuration and checked when the app starts (ValidateOnStart): under the
/// Functions host an app without what it needs refuses to start and names the setting, instead of failing at the first
/// request that needs it, or worse, putting a local address into customers' mails.
/// </summary>
public static class Settings
{
    /// <param name="section">The configuration section bound to <typeparamref name="T"/>; null when the caller reads the settings itself.</param>
    /// <param name="problems">What is wrong with the bound settings in this hosting mode, each naming its setting.</param>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string? section, Func<T, HostingMode, IEnumerable<string>> problems)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(sp => new Check<T>(sp.GetRequiredService<HostingMode>(), problems));
        var options = services.AddOptions<T>();
        return (section is null ? options : options.BindConfiguration(section)).ValidateOnStart();
    }

    public static string Missing(AppSetting setting) => $"Setting {setting.Name} is missing ({setting.Purpose}).";

    private sealed class Check<T>(HostingMode mode, Func<T, HostingMode, IEnumerable<string>> problems) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            problems(options, mode).ToList() is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
