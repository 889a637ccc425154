using System.Globalization;
using System.Security.Cryptography;

namespace KpNet.Simulator;

/// <summary>
/// An inventory CSV of simulated gateways for a deployed system, which applies only the telemetry of gateways in its
/// inventory: IDs <c>SM</c> + 10 digits (apart from the real <c>GW…</c> ones), random passwords like the sheets'
/// (13 lower-case letters and digits), the two products in turn. The operator imports it; the simulator reads it back.
/// </summary>
public static class SimulatedInventory
{
    private const string PasswordCharacters = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Writes a new file: one that exists is refused, since its passwords may be imported already.</summary>
    public static void Write(string path, int count)
    {
        using var file = new StreamWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write));
        file.WriteLine("id,password,model,serial,product");
        for (var i = 1; i <= count; i++)
        {
            var number = i.ToString("D10", CultureInfo.InvariantCulture);
            var product = i % 2 == 1 ? "multi-v2x" : "kpac-b";
            file.WriteLine($"SM{number},{RandomNumberGenerator.GetString(PasswordCharacters, 13)},GW-M001,S{number},{product}");
        }
    }
}
