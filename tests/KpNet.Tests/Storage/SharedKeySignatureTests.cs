using Azure.Core;
using Azure.Core.Pipeline;
using KpNet.Azure.Storage;
using KpNet.Azure.Storage.Tables;

namespace KpNet.Tests.Storage;

public sealed class SharedKeySignatureTests
{
    private static readonly StorageSharedKeyCredential Credential =
        new(StorageConnectionString.DevelopmentAccountName, StorageConnectionString.DevelopmentAccountKey);

    [Fact]
    public void Signature_is_base64_HMAC_SHA256_with_the_decoded_key()
    {
        // Vector computed independently (Python hmac) for the string in azure-protocols.md §6.4.
        var signature = Credential.ComputeSignature("Sat, 21 Nov 2026 20:29:41 GMT\n/devstoreaccount1/devstoreaccount1/Tables");

        Assert.Equal("9ZwlFYKDiAC4MoF3UrgXzZ/sdt58k8S81HZYy0VW9dI=", signature);
    }

    [Fact]
    public void Table_SharedKeyLite_doubles_the_account_on_Azurite_and_keeps_only_comp()
    {
        var request = NewRequest(RequestMethod.Get, "http://127.0.0.1:10002/devstoreaccount1/t()?$filter=a%20eq%201&comp=list&NextRowKey=x");
        request.Headers.SetValue("x-ms-date", "Sat, 21 Nov 2026 20:29:41 GMT");

        var stringToSign = new TableSharedKeyLitePolicy(Credential).BuildStringToSign(request);

        Assert.Equal("Sat, 21 Nov 2026 20:29:41 GMT\n/devstoreaccount1/devstoreaccount1/t()?comp=list", stringToSign);
    }

    private static Request NewRequest(RequestMethod method, string uri)
    {
        var request = HttpPipelineBuilder.Build(new TableClientOptions()).CreateRequest();
        request.Method = method;
        request.Uri.Reset(new Uri(uri));
        return request;
    }
}
