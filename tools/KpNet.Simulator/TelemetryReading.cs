using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KpNet.Simulator;

/// <summary>One PCS unit as reported in an event.</summary>
public sealed record UnitReading(int No, string Model, string Serial, string Status, IReadOnlyList<string> Faults);

/// <summary>
/// One telemetry event of a simulated gateway, in the ingestion's sign conventions: grid &gt; 0 buying, battery &gt; 0
/// discharging, ev &gt; 0 charging the car; powers in whole watts so that pv + grid + battery = load + ev holds exactly.
/// </summary>
public sealed record TelemetryReading(
    string GatewayId,
    long Boot,
    long Seq,
    DateTimeOffset Ts,
    string Model,
    string Serial,
    string Fw,
    double PvW,
    double BatterySoc,
    double BatteryW,
    double BatteryTempC,
    bool EvConnected,
    double? EvSoc,
    double EvW,
    bool HasEvCharger,
    double GridW,
    double LoadW,
    IReadOnlyList<UnitReading> Units)
{
    /// <summary>The event body per api.md "Telemetry events".</summary>
    public string ToJson() => Encoding.UTF8.GetString(ToUtf8Json());

    /// <summary>The event body as the UTF-8 bytes an event carries.</summary>
    public byte[] ToUtf8Json()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", 1);
            json.WriteString("gatewayId", GatewayId);
            json.WriteNumber("boot", Boot);
            json.WriteNumber("seq", Seq);
            json.WriteString("ts", Ts.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            json.WriteString("model", Model);
            json.WriteString("serial", Serial);
            json.WriteString("fw", Fw);
            json.WriteStartObject("pv");
            json.WriteNumber("w", PvW);
            json.WriteEndObject();
            json.WriteStartObject("battery");
            json.WriteNumber("soc", BatterySoc);
            json.WriteNumber("w", BatteryW);
            json.WriteNumber("tempC", BatteryTempC);
            json.WriteEndObject();
            // Only a system with an EV charger reports the ev block, as the real gateways do: the monitoring screens
            // show EV cards and series where it is reported.
            if (HasEvCharger)
            {
                json.WriteStartObject("ev");
                json.WriteBoolean("connected", EvConnected);
                if (EvSoc is { } evSoc)
                {
                    json.WriteNumber("soc", evSoc);
                }

                json.WriteNumber("w", EvW);
                json.WriteEndObject();
            }
            json.WriteStartObject("grid");
            json.WriteNumber("w", GridW);
            json.WriteEndObject();
            json.WriteStartObject("load");
            json.WriteNumber("w", LoadW);
            json.WriteEndObject();
            json.WriteStartArray("units");
            foreach (var unit in Units)
            {
                json.WriteStartObject();
                json.WriteNumber("no", unit.No);
                json.WriteString("model", unit.Model);
                json.WriteString("serial", unit.Serial);
                json.WriteString("status", unit.Status);
                json.WriteStartArray("faults");
                foreach (var fault in unit.Faults)
                {
                    json.WriteStringValue(fault);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
