using System.Globalization;
using Azure;

namespace KpNet.Notifications;

/// <summary>How a failed send is handled: tried again later (throttling, outages) or given up for good (the mail itself was refused).</summary>
public sealed record MailFailure(bool Permanent, int? Status, string ErrorCode, TimeSpan? RetryAfter)
{
    /// <param name="now">Reads a Retry-After given as a date.</param>
    public static MailFailure From(Exception exception, DateTimeOffset now) => exception switch
    {
        // 401/403 is our configuration (key, role), not the mail: retrying after a fix must still deliver it.
        RequestFailedException { Status: 408 or 429 or 401 or 403 or >= 500 or 0 } e => new(false, e.Status, e.ErrorCode ?? e.Status.ToString(CultureInfo.InvariantCulture), RetryAfterOf(e, now)),
        RequestFailedException e => new(true, e.Status, e.ErrorCode ?? e.Status.ToString(CultureInfo.InvariantCulture), null),

        // The ACS client checks its rules before sending: this mail can never be sent as it is.
        ArgumentException => new(true, null, "InvalidMessage", null),
        _ => new(false, null, exception.GetType().Name, null),
    };

    private static TimeSpan? RetryAfterOf(RequestFailedException exception, DateTimeOffset now)
    {
        if (exception.GetRawResponse() is not { } response)
        {
            return null;
        }

        var headers = response.Headers;

        foreach (var name in new[] { "retry-after-ms", "x-ms-retry-after-ms" })
        {
            if (headers.TryGetValue(name, out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds))
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }
        }

        if (headers.TryGetValue("Retry-After", out var value))
        {
            if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return at - now;
            }
        }

        return null;
    }
}
