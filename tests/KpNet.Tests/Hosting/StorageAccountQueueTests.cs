using System.Text;
using KpNet.Hosting;
using KpNet.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace KpNet.Tests.Hosting;

public sealed class StorageAccountQueueTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_message_the_app_queues_is_stored_as_base64_of_its_UTF8_as_the_Functions_queue_trigger_reads_it()
    {
        const string text = """{"件名":"ゲートウェイ警報","note":"<&>"}""";
        var queueName = UniqueName.For("encoding");
        var queue = TestQueues.Queue(azurite.ConnectionString, queueName);
        await queue.CreateIfNotExistsAsync();

        await queue.SendMessageAsync(text);

        var stored = Assert.Single((await TestQueues.Verbatim(azurite.ConnectionString, queueName).PeekMessagesAsync()).Value);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)), stored.Body.ToString());
        var received = Assert.Single((await queue.ReceiveMessagesAsync()).Value);
        Assert.Equal(text, received.Body.ToString());
    }

    [Theory]
    [InlineData("AzureWebJobsStorage:accountName", "kpnetprod", "https://kpnetprod.queue.core.windows.net/email-outbox")]
    [InlineData("AzureWebJobsStorage:queueServiceUri", "https://kpnetprod.queue.core.windows.net", "https://kpnetprod.queue.core.windows.net/email-outbox")]
    public void In_Azure_the_queues_are_found_from_the_identity_based_settings(string setting, string value, string expected)
    {
        var storage = new StorageAccount(new ConfigurationBuilder().AddInMemoryCollection([new(setting, value)]).Build(), []);

        Assert.Equal(new Uri(expected), storage.GetQueueClient("email-outbox").Uri);
    }
}
