using Azure.Core;
using Azure.Core.Pipeline;
using KpNet.Azure.Storage;
using KpNet.Azure.Storage.Queues;

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
    public void Queue_SharedKey_signs_header_slots_x_ms_headers_and_sorted_decoded_query()
    {
        var request = NewRequest(RequestMethod.Get, "http://127.0.0.1:10001/devstoreaccount1/q/messages?visibilitytimeout=30&numofmessages=1&popreceipt=a%2Bb");
        request.Headers.SetValue("x-ms-date", "Sat, 21 Nov 2026 20:29:41 GMT");
        request.Headers.SetValue("x-ms-version", "2021-12-02");

        var stringToSign = new QueueSharedKeyPolicy(Credential).BuildStringToSign(request);

        Assert.Equal(
            "GET\n\n\n\n\n\n\n\n\n\n\n\n" +
            "x-ms-date:Sat, 21 Nov 2026 20:29:41 GMT\nx-ms-version:2021-12-02\n" +
            "/devstoreaccount1/devstoreaccount1/q/messages\nnumofmessages:1\npopreceipt:a+b\nvisibilitytimeout:30",
            stringToSign);
    }

    [Fact]
    public void Queue_SharedKey_includes_content_length_and_type_of_a_body()
    {
        var request = NewRequest(RequestMethod.Post, "http://127.0.0.1:10001/devstoreaccount1/q/messages");
        request.Headers.SetValue("x-ms-date", "d");
        request.Headers.SetValue("Content-Type", "application/xml");
        request.Content = RequestContent.Create(new byte[12]);

        var stringToSign = new QueueSharedKeyPolicy(Credential).BuildStringToSign(request);

        Assert.Equal("POST\n\n\n12\n\napplication/xml\n\n\n\n\n\n\nx-ms-date:d\n/devstoreaccount1/devstoreaccount1/q/messages", stringToSign);
    }

    private static Request NewRequest(RequestMethod method, string uri)
    {
        var request = HttpPipelineBuilder.Build(new QueueClientOptions()).CreateRequest();
        request.Method = method;
        request.Uri.Reset(new Uri(uri));
        return request;
    }
}
