using Azure;
using KpNet.Azure.Storage;

namespace KpNet.Tests.Storage;

public sealed class StorageFailureTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(408)]
    [InlineData(409)]
    [InlineData(412)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public void A_failure_that_passes_with_time_or_an_operators_fix_is_transient(int status) =>
        Assert.True(StorageFailure.IsTransient(new RequestFailedException(status, "failed")));

    [Theory]
    [InlineData(400, "EntityTooLarge")]
    [InlineData(400, "InvalidInput")]
    [InlineData(413, "RequestBodyTooLarge")]
    public void A_request_storage_refuses_as_it_is_fails_every_retry(int status, string errorCode) =>
        Assert.False(StorageFailure.IsTransient(new RequestFailedException(status, "refused", errorCode, null)));

    [Fact]
    public void Network_failures_and_timeouts_are_transient_and_the_apps_own_exceptions_are_not()
    {
        Assert.True(StorageFailure.IsTransient(new HttpRequestException("connection refused")));
        Assert.True(StorageFailure.IsTransient(new TaskCanceledException("timed out")));
        Assert.True(StorageFailure.IsTransient(new InvalidOperationException("wrapped", new IOException("reset"))));
        Assert.True(StorageFailure.IsTransient(new AggregateException(new RequestFailedException(400, "refused"), new RequestFailedException(503, "busy"))));
        Assert.False(StorageFailure.IsTransient(new InvalidOperationException("a bug")));
        Assert.False(StorageFailure.IsTransient(new AggregateException(new RequestFailedException(400, "refused"))));
    }
}
