using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KpNet.Tests.Observability;

public sealed record OtlpSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope, IReadOnlyDictionary<string, string> Attributes);

/// <summary>One data point of a metric: a sum's value, or a histogram's count and sum.</summary>
public sealed record OtlpPoint(string Metric, IReadOnlyDictionary<string, string> Attributes, ulong TimeUnixNano, double Value, ulong Count);

public sealed record OtlpLog(string Body, string TraceId, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// An OTLP/HTTP receiver (protobuf, what the .NET exporter sends) on a loopback port: it answers 200 to every export and
/// keeps the bodies, read back with Google.Protobuf's wire reader for the few fields the tests look at.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(string Signal, byte[] Body)> _exports = [];

    private OtlpReceiver(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        OtlpReceiver? receiver = null;
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            lock (receiver!._exports)
            {
                receiver._exports.Add((signal, body.ToArray()));
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new OtlpReceiver(app, new Uri(address));
        return receiver;
    }

    private IReadOnlyList<byte[]> Bodies(string signal)
    {
        lock (_exports)
        {
            return [.. _exports.Where(e => e.Signal == signal).Select(e => e.Body)];
        }
    }

    /// <summary>Every export as text (protobuf strings are UTF-8 as they are), to look for what must never be exported.</summary>
    public string AllText()
    {
        lock (_exports)
        {
            return string.Join("\n", _exports.Select(e => Encoding.UTF8.GetString(e.Body)));
        }
    }

    public IReadOnlyList<OtlpSpan> Spans() =>
        [.. Bodies("traces").SelectMany(body => Repeated(body, 1).SelectMany(resource => Repeated(resource, 2)).SelectMany(ScopeSpans))];

    public IReadOnlyList<OtlpPoint> Points() =>
        [.. Bodies("metrics").SelectMany(body => Repeated(body, 1).SelectMany(resource => Repeated(resource, 2)).SelectMany(scope => Repeated(scope, 2)).SelectMany(MetricPoints))];

    public IReadOnlyList<OtlpLog> Logs() =>
        [.. Bodies("logs").SelectMany(body => Repeated(body, 1).SelectMany(resource => Repeated(resource, 2)).SelectMany(scope => Repeated(scope, 2)).Select(Log))];

    /// <summary>The newest cumulative value of each series of <paramref name="metric"/> (the exporter sends running totals).</summary>
    public IReadOnlyList<OtlpPoint> Latest(string metric) =>
        [.. Points().Where(p => p.Metric == metric)
            .GroupBy(p => string.Join(",", p.Attributes.OrderBy(a => a.Key).Select(a => a.Key + "=" + a.Value)))
            .Select(series => series.MaxBy(p => p.TimeUnixNano)!)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static IEnumerable<OtlpSpan> ScopeSpans(byte[] scopeSpans)
    {
        var scope = Fields(scopeSpans).Where(f => f.Number == 1).Select(f => String(f.Bytes, 1)).FirstOrDefault() ?? "";
        foreach (var span in Repeated(scopeSpans, 2))
        {
            var fields = Fields(span).ToList();
            yield return new OtlpSpan(
                Hex(fields, 1), Hex(fields, 2), Hex(fields, 4),
                fields.Where(f => f.Number == 5).Select(f => f.Bytes.ToStringUtf8()).Single(),
                (int)fields.Where(f => f.Number == 6).Select(f => f.Varint).FirstOrDefault(),
                scope,
                Attributes(fields, 9));
        }
    }

    private static IEnumerable<OtlpPoint> MetricPoints(byte[] metric)
    {
        var fields = Fields(metric).ToList();
        var name = fields.Single(f => f.Number == 1).Bytes.ToStringUtf8();
        foreach (var data in fields.Where(f => f.Number is 5 or 7 or 9))
        {
            foreach (var point in Repeated(data.Bytes.ToByteArray(), 1))
            {
                var pointFields = Fields(point).ToList();
                var time = pointFields.Where(f => f.Number == 3).Select(f => f.Fixed64).FirstOrDefault();
                yield return data.Number == 9
                    // HistogramDataPoint: 4 count, 5 sum, 9 attributes.
                    ? new OtlpPoint(name, Attributes(pointFields, 9), time, pointFields.Where(f => f.Number == 5).Select(f => BitConverter.UInt64BitsToDouble(f.Fixed64)).FirstOrDefault(), pointFields.Single(f => f.Number == 4).Fixed64)
                    // NumberDataPoint: 4 as_double, 6 as_int, 7 attributes.
                    : new OtlpPoint(name, Attributes(pointFields, 7), time, pointFields.Where(f => f.Number is 4 or 6).Select(f => f.Number == 4 ? BitConverter.UInt64BitsToDouble(f.Fixed64) : (long)f.Fixed64).Single(), 1);
            }
        }
    }

    private static OtlpLog Log(byte[] record)
    {
        var fields = Fields(record).ToList();
        var body = fields.Where(f => f.Number == 5).Select(f => String(f.Bytes, 1) ?? "").FirstOrDefault() ?? "";
        return new OtlpLog(body, Hex(fields, 9), Attributes(fields, 6));
    }

    private static Dictionary<string, string> Attributes(List<Field> fields, int number)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in fields.Where(f => f.Number == number))
        {
            var parts = Fields(keyValue.Bytes.ToByteArray()).ToList();
            var key = parts.Single(p => p.Number == 1).Bytes.ToStringUtf8();
            var value = parts.Where(p => p.Number == 2).Select(p => AnyValue(p.Bytes)).FirstOrDefault() ?? "";
            attributes[key] = value;
        }

        return attributes;
    }

    // AnyValue: 1 string, 2 bool, 3 int, 4 double.
    private static string AnyValue(ByteString value) => Fields(value.ToByteArray()).Select(f => f.Number switch
    {
        1 => f.Bytes.ToStringUtf8(),
        2 => f.Varint != 0 ? "true" : "false",
        3 => ((long)f.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
        4 => BitConverter.UInt64BitsToDouble(f.Fixed64).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "",
    }).FirstOrDefault() ?? "";

    private static string? String(ByteString message, int number) =>
        Fields(message.ToByteArray()).Where(f => f.Number == number).Select(f => f.Bytes.ToStringUtf8()).FirstOrDefault();

    private static string Hex(List<Field> fields, int number) =>
        fields.Where(f => f.Number == number).Select(f => Convert.ToHexStringLower(f.Bytes.Span)).FirstOrDefault() ?? "";

    private static IEnumerable<byte[]> Repeated(byte[] message, int number) =>
        Fields(message).Where(f => f.Number == number).Select(f => f.Bytes.ToByteArray());

    private sealed record Field(int Number, ByteString Bytes, ulong Varint, ulong Fixed64);

    private static List<Field> Fields(byte[] message)
    {
        var fields = new List<Field>();
        var input = new CodedInputStream(message);
        while (input.ReadTag() is var tag and not 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.LengthDelimited:
                    fields.Add(new Field(number, input.ReadBytes(), 0, 0));
                    break;
                case WireFormat.WireType.Varint:
                    fields.Add(new Field(number, ByteString.Empty, input.ReadUInt64(), 0));
                    break;
                case WireFormat.WireType.Fixed64:
                    fields.Add(new Field(number, ByteString.Empty, 0, input.ReadFixed64()));
                    break;
                case WireFormat.WireType.Fixed32:
                    fields.Add(new Field(number, ByteString.Empty, 0, input.ReadFixed32()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return fields;
    }
}
