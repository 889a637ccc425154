namespace KpNet.Accounts.Profile;

/// <summary>
/// Told after a customer changed their name or company (登録情報の変更), so copies of the name kept elsewhere (a dealer's
/// index of the gateways it maintains) follow. Every registered listener is told, after the account is written.
/// </summary>
public interface ICustomerNameListener
{
    Task CustomerNameChangedAsync(Account customer, CancellationToken cancellationToken);
}
