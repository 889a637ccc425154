using Azure.Data.Tables;
using KpNet.Hosting;
using Microsoft.Extensions.Configuration;

namespace KpNet.Tests.Infrastructure;

/// <summary>A table client as the app makes it (<see cref="StorageAccount"/> with the app's table policies), for a test without the app.</summary>
internal static class AppTables
{
    public static TableClient Client(string connectionString, string tableName, params TablePolicy[] policies) =>
        new StorageAccount(
                new ConfigurationBuilder().AddInMemoryCollection([new(StorageAccount.DefaultConnection, connectionString)]).Build(),
                [TablePolicy.AzureLimits, .. policies])
            .GetTableClient(tableName);
}
