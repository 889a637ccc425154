using KpNet.Http;
using KpNet.Http.Forms;

namespace KpNet.Accounts;

/// <summary>The manuals' password rule: 8–16 printable ASCII characters with lower-case, upper-case letters and digits.</summary>
public static class PasswordRule
{
    public const int MinLength = 8;
    public const int MaxLength = 16;

    public static readonly FieldRules Field = new()
    {
        MinLength = MinLength,
        MaxLength = MaxLength,
        Pattern = "^[!-~]+$",
        Description = "8–16 printable ASCII characters with a lower-case letter, an upper-case letter and a digit, taken exactly as typed.",
    };

    public static bool IsSatisfiedBy(string? password) =>
        password is { Length: >= MinLength and <= MaxLength }
        && password.All(c => c is >= '!' and <= '~')
        && password.Any(char.IsAsciiLetterLower)
        && password.Any(char.IsAsciiLetterUpper)
        && password.Any(char.IsAsciiDigit);

    /// <summary>{"password","passwordConfirm"}: a new password under the rule, typed twice (activation, reset, change).</summary>
    public static string? ReadNew(JsonForm form)
    {
        form.Rules("password", Field);
        var password = form.RawText("password");
        if (!IsSatisfiedBy(password))
        {
            form.Errors.TryAdd("password", password is null ? MessageKey.Required : MessageKey.PasswordRule);
        }

        var confirmation = form.RawText("passwordConfirm");
        if (confirmation is null)
        {
            form.Errors.TryAdd("passwordConfirm", MessageKey.Required);
        }
        else if (password is not null && confirmation != password)
        {
            form.Errors.TryAdd("passwordConfirm", MessageKey.PasswordConfirmMismatch);
        }

        return password;
    }
}
