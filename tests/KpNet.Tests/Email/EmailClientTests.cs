using System.Diagnostics;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using KpNet.Azure.Email;

namespace KpNet.Tests.Email;

public sealed class EmailClientTests : IAsyncLifetime
{
    private const string Sender = "DoNotReply@mail.kpnet.example.jp";
    private FakeEmailService _acs = null!;

    public async Task InitializeAsync() => _acs = await FakeEmailService.StartAsync();

    public async Task DisposeAsync() => await _acs.DisposeAsync();

    [Fact]
    public async Task Signed_send_is_accepted_and_recorded_with_Japanese_subject_recipients_text_and_html_intact()
    {
        var client = new EmailClient(_acs.ConnectionString);
        var message = new EmailMessage(
            Sender,
            new EmailRecipients(
                to: [new EmailAddress("tanaka@example.jp", "田中 太郎")],
                cc: [new EmailAddress("dealer@example.jp", "販売店")],
                bcc: [new EmailAddress("audit@example.jp")]),
            new EmailContent("【KP-NET】ゲートウェイの登録が完了しました")
            {
                PlainText = "田中様\nゲートウェイ GW-0001 の登録が完了しました。",
                Html = "<p>田中様</p><p>ゲートウェイ <b>GW-0001</b> の登録が完了しました。 &amp; \"引用\"</p>",
            });
        message.Headers["x-kpnet-kind"] = "activation";
        message.ReplyTo.Add(new EmailAddress("support@kpnet.example.jp"));
        var operationId = Guid.NewGuid().ToString();

        var response = await client.SendAsync(message, operationId);

        Assert.Equal(202, response.GetRawResponse().Status);
        Assert.Equal((operationId, EmailSendStatus.Running), (response.Value.Id, response.Value.Status));
        Assert.True(response.GetRawResponse().Headers.TryGetValue("Operation-Location", out var location));
        Assert.Contains($"/emails/operations/{operationId}?api-version=2025-09-01", location, StringComparison.Ordinal);

        var mail = Assert.Single(_acs.Accepted);
        Assert.Equal(operationId, mail.OperationId);
        Assert.Equal(Sender, mail.SenderAddress);
        Assert.Equal([("tanaka@example.jp", (string?)"田中 太郎")], mail.To);
        Assert.Equal([("dealer@example.jp", (string?)"販売店")], mail.CC);
        Assert.Equal([("audit@example.jp", (string?)null)], mail.BCC);
        Assert.Equal(message.Content.Subject, mail.Subject);
        Assert.Equal(message.Content.PlainText, mail.PlainText);
        Assert.Equal(message.Content.Html, mail.Html);
        Assert.Equal("activation", mail.Headers["x-kpnet-kind"]);
        Assert.Equal(["support@kpnet.example.jp"], mail.ReplyTo);
        Assert.True(mail.UserEngagementTrackingDisabled);

        var request = Assert.Single(_acs.Requests);
        Assert.Equal("/emails:send?api-version=2025-09-01", request.Target);
        Assert.True(Guid.TryParse(request.ClientRequestId, out _), "x-ms-client-request-id is sent");
    }

    [Fact]
    public void Request_body_keeps_Japanese_as_UTF8_and_matches_the_ACS_shape()
    {
        var message = new EmailMessage(Sender, "a@example.jp", new EmailContent("件名") { PlainText = "本文" });

        var json = Encoding.UTF8.GetString(EmailClient.WriteMessage(message));

        Assert.Equal(
            """{"senderAddress":"DoNotReply@mail.kpnet.example.jp","recipients":{"to":[{"address":"a@example.jp"}],"cc":[],"bcc":[]},"content":{"subject":"件名","plainText":"本文"},"userEngagementTrackingDisabled":true}""",
            json);
    }

    [Fact]
    public async Task Wrong_access_key_is_rejected_with_401_and_not_retried()
    {
        var wrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var client = new EmailClient($"endpoint={_acs.Endpoint};accesskey={wrongKey}", FastRetries());

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.SendAsync(SimpleMessage()));

        Assert.Equal((401, "Denied"), (error.Status, error.ErrorCode));
        Assert.Single(_acs.Requests);
        Assert.Empty(_acs.Accepted);
    }

    [Fact]
    public async Task Request_signed_more_than_15_minutes_ago_is_rejected_with_401()
    {
        var clock = new FixedTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-20));
        var policy = new HmacAuthenticationPolicy(new AzureKeyCredential(_acs.AccessKey), clock);
        var client = new EmailClient(_acs.Endpoint, policy, FastRetries());

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.SendAsync(SimpleMessage()));

        Assert.Equal(401, error.Status);
        Assert.Single(_acs.Requests);
    }

    [Fact]
    public async Task Throttled_send_waits_for_Retry_After_then_is_delivered_exactly_once_with_the_same_operation_id()
    {
        _acs.LimitSends(1, TimeSpan.FromSeconds(1));
        var client = new EmailClient(_acs.ConnectionString, FastRetries());
        await client.SendAsync(SimpleMessage("first"));
        var operationId = Guid.NewGuid().ToString();

        var response = await client.SendAsync(SimpleMessage("second"), operationId);

        Assert.Equal(operationId, response.Value.Id);
        Assert.Equal(["first", "second"], _acs.Accepted.Select(m => m.Subject));
        var attempts = _acs.Requests.Where(r => r.OperationId == operationId).ToList();
        Assert.Equal(429, attempts[0].Status);
        Assert.Equal(202, attempts[^1].Status);
        Assert.All(attempts[..^1], a => Assert.Equal(429, a.Status));

        // The client's own back-off is 10 ms here, so a gap this long can only come from honouring Retry-After: 1.
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {(attempts[1].At - attempts[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Two_503s_then_202_delivers_once_and_every_attempt_carries_the_same_operation_id()
    {
        _acs.FailNext(2, 503);
        var client = new EmailClient(_acs.ConnectionString, FastRetries());
        var operationId = Guid.NewGuid().ToString();

        await client.SendAsync(SimpleMessage(), operationId);

        Assert.Equal([503, 503, 202], _acs.Requests.Select(r => r.Status));
        Assert.All(_acs.Requests, r => Assert.Equal(operationId, r.OperationId));
        Assert.Equal(operationId, Assert.Single(_acs.Accepted).OperationId);
    }

    [Fact]
    public async Task Persistent_503_gives_up_after_MaxRetries_with_RequestFailedException()
    {
        _acs.FailNext(100, 503);
        var options = FastRetries();
        options.Retry.MaxRetries = 2;
        var client = new EmailClient(_acs.ConnectionString, options);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.SendAsync(SimpleMessage()));

        Assert.Equal(503, error.Status);
        Assert.Equal(3, _acs.Requests.Count);
        Assert.Empty(_acs.Accepted);
    }

    [Fact]
    public async Task Service_400_is_not_retried_and_surfaces_the_error_code_from_x_ms_error_code()
    {
        var client = new EmailClient(_acs.ConnectionString, FastRetries());
        var message = new EmailMessage(Sender, "not-an-address", new EmailContent("件名") { PlainText = "本文" });

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.SendAsync(message));

        Assert.Equal((400, "InvalidRequest"), (error.Status, error.ErrorCode));
        Assert.Single(_acs.Requests);
        Assert.Empty(_acs.Accepted);
    }

    [Fact]
    public async Task Error_code_is_read_from_the_error_body_when_the_header_is_absent()
    {
        _acs.FailNext(1, 403, "Forbidden", errorCodeHeader: false);
        var client = new EmailClient(_acs.ConnectionString, FastRetries());

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.SendAsync(SimpleMessage()));

        Assert.Equal((403, "Forbidden"), (error.Status, error.ErrorCode));
        Assert.Single(_acs.Requests);
    }

    [Fact]
    public async Task More_than_50_recipients_are_rejected_client_side_and_nothing_is_sent()
    {
        var client = new EmailClient(_acs.ConnectionString);
        var recipients = new EmailRecipients(
            to: Enumerable.Range(0, 40).Select(i => new EmailAddress($"to{i}@example.jp")),
            bcc: Enumerable.Range(0, 11).Select(i => new EmailAddress($"bcc{i}@example.jp")));
        var message = new EmailMessage(Sender, recipients, new EmailContent("件名") { PlainText = "本文" });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(message));

        Assert.Contains("51 recipients", error.Message, StringComparison.Ordinal);
        Assert.Empty(_acs.Requests);
    }

    [Fact]
    public async Task Exactly_50_recipients_are_sent()
    {
        var client = new EmailClient(_acs.ConnectionString);
        var recipients = new EmailRecipients(to: Enumerable.Range(0, 50).Select(i => new EmailAddress($"to{i}@example.jp")));

        await client.SendAsync(new EmailMessage(Sender, recipients, new EmailContent("件名") { Html = "<p>本文</p>" }));

        Assert.Equal(50, Assert.Single(_acs.Accepted).To.Count);
    }

    public static TheoryData<string, EmailMessage> BrokenMessages => new()
    {
        { "sender", new EmailMessage(" ", "a@example.jp", new EmailContent("件名") { PlainText = "本文" }) },
        { "'to'", new EmailMessage(Sender, new EmailRecipients(cc: [new EmailAddress("a@example.jp")]), new EmailContent("件名") { PlainText = "本文" }) },
        { "subject", new EmailMessage(Sender, "a@example.jp", new EmailContent("") { PlainText = "本文" }) },
        { "plain-text or an HTML body", new EmailMessage(Sender, "a@example.jp", new EmailContent("件名")) },
        { "address", new EmailMessage(Sender, "", new EmailContent("件名") { PlainText = "本文" }) },
    };

    [Theory]
    [MemberData(nameof(BrokenMessages))]
    public async Task Message_missing_a_required_part_is_rejected_client_side_naming_it(string part, EmailMessage message)
    {
        var client = new EmailClient(_acs.ConnectionString);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(message));

        Assert.Contains(part, error.Message, StringComparison.Ordinal);
        Assert.Empty(_acs.Requests);
    }

    [Fact]
    public async Task Request_over_10_MB_is_rejected_client_side()
    {
        var client = new EmailClient(_acs.ConnectionString);
        var message = new EmailMessage(Sender, "a@example.jp", new EmailContent("件名") { Html = new string('a', 10_000_000) });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(message));

        Assert.Contains("10 MB", error.Message, StringComparison.Ordinal);
        Assert.Empty(_acs.Requests);
    }

    [Fact]
    public async Task Operation_id_that_is_not_a_UUID_is_rejected_before_sending()
    {
        var client = new EmailClient(_acs.ConnectionString);

        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(SimpleMessage(), "queue-message-1"));

        Assert.Empty(_acs.Requests);
    }

    [Fact]
    public async Task Status_of_a_sent_operation_can_be_read_with_a_signed_GET()
    {
        var client = new EmailClient(_acs.ConnectionString);
        var sent = await client.SendAsync(SimpleMessage());

        var status = await client.GetStatusAsync(sent.Value.Id);

        Assert.Equal((sent.Value.Id, EmailSendStatus.Succeeded), (status.Value.Id, status.Value.Status));
        Assert.True(status.Value.Status.IsTerminal);
    }

    [Fact]
    public async Task Token_credential_sends_a_bearer_token_for_the_ACS_scope_over_https()
    {
        await using var acs = await FakeEmailService.StartAsync(bearerToken: "entra-token", useHttps: true);
        var credential = new RecordingTokenCredential("entra-token");
        var options = FastRetries();
        options.Transport = new HttpClientTransport(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == acs.CertificateThumbprint,
        });
        var client = new EmailClient(acs.Endpoint, credential, options);

        await client.SendAsync(SimpleMessage("トークン認証"));

        Assert.Equal("トークン認証", Assert.Single(acs.Accepted).Subject);
        Assert.Equal(["https://communication.azure.com//.default"], credential.Scopes.Distinct());
    }

    [Fact]
    public async Task Connection_string_with_endpoint_and_key_sends_to_that_endpoint()
    {
        var client = new EmailClient($"Endpoint={_acs.Endpoint};AccessKey={_acs.AccessKey}");

        await client.SendAsync(SimpleMessage());

        Assert.Single(_acs.Accepted);
    }

    [Fact]
    public void Connection_string_is_parsed_case_insensitively()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var parsed = EmailConnectionString.Parse($" endpoint=https://kpnet.communication.azure.com/ ; ACCESSKEY={key} ");

        Assert.Equal(new Uri("https://kpnet.communication.azure.com/"), parsed.Endpoint);
        Assert.Equal(key, parsed.AccessKey.Key);
    }

    [Theory]
    [InlineData("endpoint=https://kpnet.communication.azure.com/", "no 'accesskey'")]
    [InlineData("endpoint=https://kpnet.communication.azure.com/;accesskey=", "no 'accesskey'")]
    [InlineData("accesskey=c2VjcmV0LWtleS12YWx1ZQ==", "no 'endpoint'")]
    [InlineData("endpoint=kpnet.communication.azure.com;accesskey=c2VjcmV0LWtleS12YWx1ZQ==", "endpoint is not an absolute https URI")]
    [InlineData("endpoint=ftp://kpnet.communication.azure.com/;accesskey=c2VjcmV0LWtleS12YWx1ZQ==", "endpoint is not an absolute https URI")]
    [InlineData("endpoint=http://kpnet.communication.azure.com/;accesskey=c2VjcmV0LWtleS12YWx1ZQ==", "must use https")]
    [InlineData("endpoint=https://kpnet.communication.azure.com/;accesskey=not*base64!secret", "accesskey is not valid base64")]
    [InlineData("endpoint=https://kpnet.communication.azure.com/;c2VjcmV0LWtleS12YWx1ZQ", "without 'name=value'")]
    public void Malformed_connection_string_throws_FormatException_without_echoing_the_key(string connectionString, string expected)
    {
        var error = Assert.Throws<FormatException>(() => new EmailClient(connectionString));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LWtleS12YWx1ZQ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signature_matches_an_independently_derived_vector_including_a_non_default_port()
    {
        // Derived outside .NET (Python hashlib/hmac) for:
        //   key  = base64("kpnet-fixed-test-key-0123456789abcdef"), body = {"subject":"テスト"} (UTF-8)
        //   date = Fri, 21 Nov 2025 09:30:00 GMT, host = kpnet.communication.azure.com:8443
        const string key = "a3BuZXQtZml4ZWQtdGVzdC1rZXktMDEyMzQ1Njc4OWFiY2RlZg==";
        const string contentHash = "1QS+K1nlRWnt/UBHk2ku2/lfXnfUYFtgTt3UNjd6VlA=";
        const string signature = "5n7B+KIkJaD52zP9mRrNLPCoAd9HFV+hCEn/JekaY5g=";
        const string date = "Fri, 21 Nov 2025 09:30:00 GMT";
        var stringToSign = "POST\n/emails:send?api-version=2025-09-01\n" + date + ";kpnet.communication.azure.com:8443;" + contentHash;
        Assert.Equal(signature, Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(key), Encoding.UTF8.GetBytes(stringToSign))));

        var headers = await SignAsync(key, RequestMethod.Post, "https://kpnet.communication.azure.com:8443/emails:send?api-version=2025-09-01", Encoding.UTF8.GetBytes("""{"subject":"テスト"}"""));

        Assert.Equal(date, headers["x-ms-date"]);
        Assert.Equal(contentHash, headers["x-ms-content-sha256"]);
        Assert.Equal($"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}", headers["Authorization"]);
    }

    [Fact]
    public async Task Signature_of_a_bodyless_GET_hashes_the_empty_string_and_omits_the_default_port()
    {
        const string key = "a3BuZXQtZml4ZWQtdGVzdC1rZXktMDEyMzQ1Njc4OWFiY2RlZg==";

        var headers = await SignAsync(key, RequestMethod.Get, "https://kpnet.communication.azure.com:443/emails/operations/0f8fad5b-d9cb-469f-a165-70867728950e?api-version=2025-09-01", body: null);

        Assert.Equal("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", headers["x-ms-content-sha256"]);
        Assert.Equal("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=ADrSRzABX8xBcC4yg/Wwd9qPk3ApSnIBxmFQIQG1Uuc=", headers["Authorization"]);
    }

    [Fact]
    public void Default_options_retry_five_times_exponentially_from_1_second_up_to_60_and_target_2025_09_01()
    {
        var options = new EmailClientOptions();

        Assert.Equal((5, RetryMode.Exponential, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)), (options.Retry.MaxRetries, options.Retry.Mode, options.Retry.Delay, options.Retry.MaxDelay));
        Assert.Equal("2025-09-01", options.VersionString);
        Assert.Contains("Operation-Id", options.Diagnostics.LoggedHeaderNames);
    }

    private static async Task<Dictionary<string, string>> SignAsync(string key, RequestMethod method, string uri, byte[]? body)
    {
        var policy = new HmacAuthenticationPolicy(new AzureKeyCredential(key), new FixedTimeProvider(new DateTimeOffset(2025, 11, 21, 9, 30, 0, TimeSpan.Zero)));
        var pipeline = HttpPipelineBuilder.Build(new EmailClientOptions());
        using var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(new Uri(uri));
        if (body is not null)
        {
            message.Request.Content = RequestContent.Create(body);
        }

        await policy.ProcessAsync(message, new HttpPipelinePolicy[] { new StopPolicy() });
        return message.Request.Headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase);
    }

    private static EmailClientOptions FastRetries()
    {
        var options = new EmailClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        return options;
    }

    private static EmailMessage SimpleMessage(string subject = "お知らせ") =>
        new(Sender, "user@example.jp", new EmailContent(subject) { PlainText = "本文です。" });

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class StopPolicy : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => ValueTask.CompletedTask;
    }

    private sealed class RecordingTokenCredential(string token) : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes)
            {
                Scopes.AddRange(requestContext.Scopes);
            }

            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
