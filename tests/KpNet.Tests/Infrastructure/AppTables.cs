using Azure.Data.Tables;
using KpNet.Hosting;
using Microsoft.Extensions.Configuration;

namespace KpNet.Tests.Infrastructure;

/// <summary>Storage as the app reaches it (<see cref="StorageAccount"/> with the app's table policies), for a test without the app.</summary>
internal static class AppTables
{
    public static TableClient Client(string connectionString, string tableName, params TablePolicy[] policies) =>
        Account(connectionString, policies).GetTableClient(tableName);

    public static StorageAccount Account(string connectionString, params TablePolicy[] policies) =>
        new(new ConfigurationBuilder().AddInMemoryCollection([new(StorageAccount.DefaultConnection, connectionString)]).Build(), [TablePolicy.AzureLimits, .. policies]);
}
