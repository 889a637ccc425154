namespace KpNet.Accounts;

public enum AccountRole
{
    Customer,
    Dealer,
    Admin,
}

/// <summary>Who owns gateways and manages their own registration data.</summary>
public static class AccountRoles
{
    public static readonly AccountRole[] Owners = [AccountRole.Customer, AccountRole.Admin];
}

public enum AccountStatus
{
    /// <summary>Registered, activation link sent, not yet usable.</summary>
    Provisional,
    Active,
}

public sealed record PersonName(string Family, string Given);

public sealed record PostalAddress(string PostalCode, string Prefecture, string City, string Street);

public sealed record Company(string Name, string Department);

/// <summary>A customer's, dealer's or operator's account; the e-mail address (compared case-insensitively) is the login ID.</summary>
public sealed record Account
{
    public required string UserId { get; init; }
    public required string Email { get; init; }
    public required AccountRole Role { get; init; }
    public required AccountStatus Status { get; init; }
    public required PersonName Name { get; init; }
    public PersonName? Kana { get; init; }
    public required string Phone { get; init; }
    public required PostalAddress Address { get; init; }
    public Company? Company { get; init; }
    public required string TermsVersion { get; init; }
    public required DateTimeOffset TermsAgreedAt { get; init; }
    public string? PasswordHash { get; init; }

    /// <summary>Changes whenever the password does; sessions minted under another stamp stop working.</summary>
    public required string SecurityStamp { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ActivationExpiresAt { get; init; }
    public DateTimeOffset? ActivatedAt { get; init; }

    /// <summary>The numeric dealer ID (from 4001), for dealer accounts once activated.</summary>
    public int? DealerId { get; init; }

    /// <summary>A dealer's 保守担当者 addresses as signed up; once activated the Dealers row is where fault mails read them.</summary>
    public IReadOnlyList<string>? StaffEmails { get; init; }

    /// <summary>Set while the operator has locked the account (a support action): no login, no session.</summary>
    public DateTimeOffset? LockedAt { get; init; }

    /// <summary>"ja" or "en": the language mails to this account are written in (from the registration's Accept-Language).</summary>
    public string Language { get; init; } = "ja";

    public global::Azure.ETag ETag { get; init; }
}
