using System.Text;

namespace KpNet.Azure.Storage.Queues;

/// <summary>
/// The Azure Functions queue trigger's default <c>messageEncoding: base64</c>: the stored text is
/// Base64(UTF-8(payload)), and anything else is poisoned by the trigger.
/// </summary>
internal static class QueueMessageEncoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Encode(string text) => Convert.ToBase64String(StrictUtf8.GetBytes(text));

    public static string? TryDecode(string storedText)
    {
        var buffer = new byte[storedText.Length];
        if (!Convert.TryFromBase64String(storedText, buffer, out var length))
        {
            return null;
        }

        try
        {
            return StrictUtf8.GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
