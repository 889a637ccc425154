using KpNet.Telemetry;
using KpNet.Telemetry.Alerts;

namespace KpNet.Tests.Telemetry.Alerts;

public sealed class AlertRulesTests
{
    private static TelemetryEvent Event(double? tempC = 30, double? soc = 50, double? batteryW = -100, params TelemetryUnit[] units) =>
        new(new Measurements { [Measurement.BatteryTempC] = tempC, [Measurement.BatterySoc] = soc, [Measurement.BatteryW] = batteryW })
        {
            GatewayId = "GW00009005PV",
            Seq = 1,
            Ts = DateTimeOffset.UtcNow,
            Units = units,
        };

    [Fact]
    public void A_healthy_event_raises_nothing() =>
        Assert.Empty(AlertRules.Evaluate(Event(units: new TelemetryUnit(1, "M", "S", "run", []))));

    [Fact]
    public void Each_fault_code_of_each_unit_is_its_own_alert_and_a_fault_without_code_gets_a_generic_one()
    {
        var keys = AlertRules.Evaluate(Event(units:
        [
            new TelemetryUnit(1, "M", "S", "fault", ["E101", "E203"]),
            new TelemetryUnit(2, "M", "S", "fault", []),
            new TelemetryUnit(3, "M", "S", "run", ["E 9/x"]),
        ]));

        Assert.Equal(["1-E101", "1-E203", "2-unit-fault", "3-x4520392F78"], keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(50.0, null)]
    [InlineData(50.1, AlertCatalogue.BatteryTemperatureHigh)]
    [InlineData(-10.0, null)]
    [InlineData(-10.5, AlertCatalogue.BatteryTemperatureLow)]
    public void Battery_temperature_outside_minus_10_to_50_degrees_is_an_alert(double tempC, string? code) =>
        Assert.Equal(code is null ? [] : ["0-" + code], AlertRules.Evaluate(Event(tempC)));

    [Theory]
    [InlineData(4.0, 500.0, true)]
    [InlineData(4.0, -500.0, false)]
    [InlineData(4.0, 0.0, false)]
    [InlineData(5.0, 500.0, false)]
    public void A_battery_still_discharging_below_5_percent_is_an_alert(double soc, double batteryW, bool alert) =>
        Assert.Equal(alert, AlertRules.Evaluate(Event(soc: soc, batteryW: batteryW)).Contains("0-" + AlertCatalogue.BatteryDepleted));

    [Fact]
    public void Unknown_codes_get_a_generic_description_and_known_ones_their_own()
    {
        Assert.Contains("系統過電圧", AlertCatalogue.Describe("E101").Meaning(english: false));
        Assert.Contains("error code", AlertCatalogue.Describe("Z999").Meaning(english: true));
    }
}
