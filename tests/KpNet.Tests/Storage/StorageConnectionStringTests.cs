using KpNet.Azure.Storage;

namespace KpNet.Tests.Storage;

public sealed class StorageConnectionStringTests
{
    private const string Key = StorageConnectionString.DevelopmentAccountKey;

    [Fact]
    public void UseDevelopmentStorage_expands_to_the_default_Azurite_endpoints()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true");

        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), parsed.QueueEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), parsed.TableEndpoint);
    }

    [Fact]
    public void Explicit_endpoints_override_the_account_defaults()
    {
        var parsed = StorageConnectionString.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
            "QueueEndpoint=http://127.0.0.1:41234/devstoreaccount1;TableEndpoint=http://127.0.0.1:41235/devstoreaccount1/;");

        Assert.Equal(new Uri("http://127.0.0.1:41234/devstoreaccount1"), parsed.QueueEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:41235/devstoreaccount1"), parsed.TableEndpoint);
    }

    [Fact]
    public void Azure_form_builds_endpoints_from_account_and_suffix()
    {
        var parsed = StorageConnectionString.Parse(
            $"DefaultEndpointsProtocol=https;AccountName=kpnetprod;AccountKey={Key};EndpointSuffix=core.windows.net");

        Assert.Equal("kpnetprod", parsed.AccountName);
        Assert.Equal(new Uri("https://kpnetprod.table.core.windows.net"), parsed.TableEndpoint);
        Assert.Equal(new Uri("https://kpnetprod.queue.core.windows.net"), parsed.QueueEndpoint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("UseDevelopmentStorage=false")]
    [InlineData("AccountName=a")]
    [InlineData("AccountName=a;AccountName=b;AccountKey=AAAA")]
    [InlineData("AccountName=a;AccountKey=AAAA;DefaultEndpointsProtocol=ftp")]
    [InlineData("AccountName=a;AccountKey=AAAA;TableEndpoint=not a uri")]
    public void Malformed_strings_fail_with_FormatException(string connectionString)
    {
        Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString));
    }

    [Fact]
    public void Bad_key_error_does_not_reveal_the_key()
    {
        const string secret = "not*base64*secret";

        var error = Assert.Throws<FormatException>(() => StorageConnectionString.Parse($"AccountName=a;AccountKey={secret}"));

        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
    }
}
