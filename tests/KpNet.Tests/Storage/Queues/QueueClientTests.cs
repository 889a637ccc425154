using Azure;
using KpNet.Azure.Storage.Queues;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Storage.Queues;

public sealed class QueueClientTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly QueueClient _queue = new(azurite.ConnectionString, UniqueName.For("messages"));

    public async Task InitializeAsync() => await _queue.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await _queue.DeleteIfExistsAsync();

    [Fact]
    public async Task CreateIfNotExists_is_idempotent()
    {
        var again = await _queue.CreateIfNotExistsAsync();

        Assert.InRange(again.Status, 200, 409);
    }

    [Fact]
    public async Task Japanese_text_round_trips_and_is_stored_as_base64()
    {
        const string text = "{\"件名\":\"ゲートウェイ警報\",\"note\":\"<&>\"}";

        var receipt = (await _queue.SendMessageAsync(text)).Value;
        var peeked = Assert.Single((await _queue.PeekMessagesAsync()).Value);
        var received = Assert.Single((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);

        Assert.Equal(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)), peeked.MessageText);
        Assert.Equal(text, peeked.DecodedText);
        Assert.Equal(receipt.MessageId, received.MessageId);
        Assert.Equal(text, received.DecodedText);
        Assert.Equal(1, received.DequeueCount);
        Assert.True(received.NextVisibleOn > DateTimeOffset.UtcNow.AddSeconds(20));
        Assert.True(received.ExpiresOn > received.InsertionTime.AddDays(6));
    }

    [Fact]
    public async Task Message_not_in_base64_comes_back_without_decoded_text()
    {
        await _queue.SendRawMessageAsync("not base64 ほげ", null, null, CancellationToken.None);

        var received = Assert.Single((await _queue.ReceiveMessagesAsync()).Value);

        Assert.Equal("not base64 ほげ", received.MessageText);
        Assert.Null(received.DecodedText);
    }

    [Fact]
    public async Task DequeueCount_increments_after_the_visibility_timeout_expires()
    {
        await _queue.SendMessageAsync("retry me");

        var first = Assert.Single((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Value);
        var second = Assert.Single(await Eventually.ReturnsAsync(
            async () => (await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value,
            messages => messages.Count > 0,
            what: "the message to be visible again after its visibility timeout"));

        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal((1, 2), (first.DequeueCount, second.DequeueCount));
    }

    [Fact]
    public async Task Update_rotates_the_pop_receipt_so_the_old_one_cannot_delete()
    {
        await _queue.SendMessageAsync("lease");
        var message = Assert.Single((await _queue.ReceiveMessagesAsync()).Value);

        var update = (await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, "changed", TimeSpan.FromSeconds(60))).Value;
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt));

        Assert.NotEqual(message.PopReceipt, update.PopReceipt);
        Assert.True(update.NextVisibleOn > DateTimeOffset.UtcNow.AddSeconds(30));
        Assert.True(error.Status is 400 or 404, $"status {error.Status}");
        await _queue.DeleteMessageAsync(message.MessageId, update.PopReceipt);
        Assert.Equal(0, (await _queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Update_with_new_text_and_zero_visibility_makes_the_new_text_visible_at_once()
    {
        await _queue.SendMessageAsync("before");
        var message = Assert.Single((await _queue.ReceiveMessagesAsync()).Value);

        await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, "after");
        var again = Assert.Single((await _queue.ReceiveMessagesAsync()).Value);

        Assert.Equal("after", again.DecodedText);
    }

    [Fact]
    public async Task Delete_removes_the_message_and_properties_report_the_count()
    {
        await _queue.SendMessageAsync("one");
        await _queue.SendMessageAsync("two");
        await _queue.SendMessageAsync("three", visibilityTimeout: TimeSpan.FromMinutes(5));

        Assert.Equal(3, (await _queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        var messages = (await _queue.ReceiveMessagesAsync(32)).Value;
        Assert.Equal(2, messages.Count);
        foreach (var message in messages)
        {
            await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }

        Assert.Equal(1, (await _queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await _queue.ReceiveMessagesAsync()).Value);
    }

    [Fact]
    public async Task Message_whose_base64_exceeds_64_KiB_fails_with_413_before_sending()
    {
        var fits = new string('a', 48 * 1024);
        var tooLarge = new string('a', (48 * 1024) + 1);

        await _queue.SendMessageAsync(fits);
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _queue.SendMessageAsync(tooLarge));

        Assert.Equal((413, "RequestBodyTooLarge"), (error.Status, error.ErrorCode));
        var stored = Assert.Single((await _queue.ReceiveMessagesAsync()).Value);
        Assert.Equal(fits, stored.DecodedText);
        Assert.Equal(QueueClient.MaxMessageTextLength, stored.MessageText.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public async Task Receive_rejects_message_counts_outside_1_to_32(int maxMessages)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _queue.ReceiveMessagesAsync(maxMessages));
    }

    [Fact]
    public async Task Missing_queue_fails_with_404_QueueNotFound()
    {
        var missing = new QueueClient(azurite.ConnectionString, UniqueName.For("missing"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => missing.SendMessageAsync("x"));

        Assert.Equal((404, "QueueNotFound"), (error.Status, error.ErrorCode));
        Assert.False((await missing.DeleteIfExistsAsync()).Value);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("-lead")]
    [InlineData("trail-")]
    [InlineData("dou--ble")]
    [InlineData("under_score")]
    public void Invalid_queue_name_is_rejected_by_the_constructor(string name)
    {
        Assert.Throws<ArgumentException>(() => new QueueClient(azurite.ConnectionString, name));
    }

    [Fact]
    public void Queue_name_of_63_characters_is_accepted()
    {
        Assert.Equal(63, new QueueClient(azurite.ConnectionString, new string('q', 63)).Name.Length);
    }
}
