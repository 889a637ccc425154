using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Security;

namespace KpNet.Accounts.Sessions;

public sealed record Session(string TokenHash, string UserId, string Email, AccountRole Role, string SecurityStamp,
    DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt);

/// <summary>
/// Sessions in table Sessions, keyed by the SHA-256 of the token (the token itself is never stored). A session ends
/// at logout, after <see cref="IdleTimeout"/> without use, after <see cref="AbsoluteLifetime"/>, or when the
/// account's security stamp changes (password change).
/// </summary>
public sealed class SessionStore(StorageAccount storage, TimeProvider time)
{
    public const string TableName = "Sessions";
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(2);
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromDays(7);

    // Refreshing "last seen" on every request would cost a write per request; a coarse refresh is enough for idle expiry.
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(5);

    private TableClient Table => storage.GetTableClient(TableName);

    public async Task<(string Token, Session Session)> CreateAsync(Account account, CancellationToken cancellationToken)
    {
        var token = SecureToken.Create();
        var now = time.GetUtcNow();
        var session = new Session(SecureToken.Hash(token), account.UserId, account.Email, account.Role, account.SecurityStamp, now, now, now + AbsoluteLifetime);
        await Table.AddEntityAsync(new TableEntity(session.TokenHash, "")
        {
            ["UserId"] = session.UserId,
            ["Email"] = session.Email,
            ["Role"] = session.Role.ToString(),
            ["SecurityStamp"] = session.SecurityStamp,
            ["CreatedAt"] = session.CreatedAt,
            ["LastSeenAt"] = session.LastSeenAt,
            ["ExpiresAt"] = session.ExpiresAt,
        }, cancellationToken);
        return (token, session);
    }

    /// <summary>The live session for a token, or null (unknown, revoked, idle or expired).</summary>
    public async Task<Session?> FindAsync(string token, CancellationToken cancellationToken)
    {
        if (!SecureToken.LooksValid(token))
        {
            return null;
        }

        var hash = SecureToken.Hash(token);
        var row = (await Table.GetEntityIfExistsAsync<TableEntity>(hash, "", cancellationToken: cancellationToken)).ValueOrNull();
        if (row is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var session = new Session(hash, row.GetString("UserId")!, row.GetString("Email")!, Enum.Parse<AccountRole>(row.GetString("Role")!),
            row.GetString("SecurityStamp")!, row.GetDateTimeOffset("CreatedAt")!.Value, row.GetDateTimeOffset("LastSeenAt")!.Value, row.GetDateTimeOffset("ExpiresAt")!.Value);
        if (now >= session.ExpiresAt || now - session.LastSeenAt >= IdleTimeout)
        {
            await Table.DeleteEntityAsync(hash, "", ETag.All, cancellationToken);
            return null;
        }

        if (now - session.LastSeenAt >= TouchInterval)
        {
            await Table.UpdateEntityAsync(new TableEntity(hash, "") { ["LastSeenAt"] = now }, ETag.All, TableUpdateMode.Merge, cancellationToken);
            session = session with { LastSeenAt = now };
        }

        return session;
    }

    /// <summary>
    /// Carries one session over to the account's new security stamp (the caller's own, after a password change), while
    /// every other session of the account keeps the old stamp and stops working.
    /// </summary>
    public async Task RestampAsync(string tokenHash, string securityStamp, CancellationToken cancellationToken) =>
        await Table.UpdateEntityAsync(new TableEntity(tokenHash, "") { ["SecurityStamp"] = securityStamp }, ETag.All, TableUpdateMode.Merge, cancellationToken);

    public async Task RevokeAsync(string tokenHash, CancellationToken cancellationToken) =>
        await Table.DeleteEntityAsync(tokenHash, "", ETag.All, cancellationToken);
}
