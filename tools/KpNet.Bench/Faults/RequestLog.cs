using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Azure;

namespace KpNet.Bench.Faults;

public enum Outcome
{
    /// <summary>2xx.</summary>
    Success,

    /// <summary>The one answer allowed during a fault: 503 problem+json with Retry-After.</summary>
    Unavailable,

    /// <summary>Refused or reset: expected only while the app is down (see <see cref="RequestLog.AppDown"/>).</summary>
    ConnectionError,

    /// <summary>No answer within the bench's wait (API: the 10 s deadline and 5 s more).</summary>
    Hang,

    /// <summary>Anything else: a 500, a 503 without Retry-After or problem+json, an unexpected status.</summary>
    Other,
}

public sealed record RequestResult(string Phase, string Kind, TimeSpan Start, TimeSpan End, Outcome Outcome, string Detail)
{
    public TimeSpan Duration => End - Start;
}

/// <summary>Every request the bench sends as a user or a gateway, with the phase it was sent in and how it ended.</summary>
public sealed class RequestLog
{
    public static readonly TimeSpan ApiWait = TimeSpan.FromSeconds(15);

    private readonly ConcurrentQueue<RequestResult> _results = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<(TimeSpan From, TimeSpan To)> _appDown = new();

    public string Phase { get; set; } = "setup";

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyCollection<RequestResult> Results => _results;

    /// <summary>From the kill to the restarted app's first answer: connection errors overlapping these are expected.</summary>
    public IReadOnlyCollection<(TimeSpan From, TimeSpan To)> AppDown => _appDown;

    public void AddAppDown(TimeSpan from, TimeSpan to) => _appDown.Enqueue((from, to));

    public bool OverlapsAppDown(RequestResult result) => _appDown.Any(down => result.Start <= down.To && result.End >= down.From);

    /// <summary>One API request; the response (disposed by the caller) only when it was 2xx.</summary>
    public async Task<HttpResponseMessage?> SendAsync(HttpClient client, string kind, HttpRequestMessage request)
    {
        var phase = Phase;
        var start = Now;
        using var wait = new CancellationTokenSource(ApiWait);
        try
        {
            var response = await client.SendAsync(request, wait.Token);
            var body = await response.Content.ReadAsStringAsync(wait.Token);
            var outcome = Classify((int)response.StatusCode, response.Headers.RetryAfter is not null, response.Content.Headers.ContentType?.MediaType);
            Record(phase, kind, start, outcome, outcome == Outcome.Other ? $"{(int)response.StatusCode} {body}" : "");
            if (outcome == Outcome.Success)
            {
                return response;
            }

            response.Dispose();
            return null;
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested)
        {
            Record(phase, kind, start, Outcome.Hang, $"no answer in {ApiWait.TotalSeconds} s");
            return null;
        }
        catch (HttpRequestException e)
        {
            Record(phase, kind, start, Outcome.ConnectionError, e.Message);
            return null;
        }
        finally
        {
            request.Dispose();
        }
    }

    /// <summary>One telemetry send through the Event Hubs REST client (no retries of its own): whether it was accepted.</summary>
    public async Task<bool> SendTelemetryAsync(Func<Task> send)
    {
        var phase = Phase;
        var start = Now;
        try
        {
            await send();
            Record(phase, "telemetry", start, Outcome.Success, "");
            return true;
        }
        catch (Exception e) when (e is RequestFailedException { Status: 0 } || e is AggregateException { InnerException: RequestFailedException { Status: 0 } })
        {
            Record(phase, "telemetry", start, Outcome.ConnectionError, e.Message);
        }
        catch (RequestFailedException e)
        {
            var response = e.GetRawResponse();
            var outcome = Classify(e.Status, response?.Headers.TryGetValue("Retry-After", out _) == true, response?.Headers.ContentType?.Split(';')[0]);
            Record(phase, "telemetry", start, outcome, outcome == Outcome.Other ? $"{e.Status} {e.ErrorCode}" : "");
        }
        catch (OperationCanceledException e)
        {
            Record(phase, "telemetry", start, Outcome.Hang, e.Message);
        }

        return false;
    }

    private static Outcome Classify(int status, bool retryAfter, string? mediaType) => status switch
    {
        >= 200 and < 300 => Outcome.Success,
        (int)HttpStatusCode.ServiceUnavailable when retryAfter && mediaType == "application/problem+json" => Outcome.Unavailable,
        _ => Outcome.Other,
    };

    private void Record(string phase, string kind, TimeSpan start, Outcome outcome, string detail) =>
        _results.Enqueue(new RequestResult(phase, kind, start, Now, outcome, detail));
}
