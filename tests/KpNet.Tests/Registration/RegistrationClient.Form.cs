using System.Text.Json.Nodes;

namespace KpNet.Tests.Registration;

/// <summary>A complete registration form, as the portal sends it (the fault-injection bench links this file too).</summary>
public static partial class RegistrationClient
{
    public const string GatewayPassword = "abcdefghijk12";
    public const string Phone = "075-344-8160";

    public static JsonObject Body(string email, string gatewayId, string gatewayPassword = GatewayPassword) => new()
    {
        ["termsVersion"] = "2026-01",
        ["name"] = new JsonObject { ["family"] = "御室", ["given"] = "花子" },
        ["kana"] = new JsonObject { ["family"] = "オムロ", ["given"] = "ハナコ" },
        ["email"] = email,
        ["emailConfirm"] = email,
        ["postalCode"] = "600-8530",
        ["prefecture"] = "京都府",
        ["city"] = "京都市下京区",
        ["street"] = "堀川通1-2",
        ["phone"] = Phone,
        ["company"] = new JsonObject { ["name"] = "", ["department"] = "" },
        ["gateway"] = new JsonObject { ["id"] = gatewayId, ["password"] = gatewayPassword },
        ["site"] = new JsonObject { ["name"] = "XX株式会社 京都発電所", ["postalCode"] = "987-6543", ["prefecture"] = "京都府", ["city"] = "京都市", ["street"] = "123-4-5" },
        ["gridConnectionDate"] = "2025-10-01",
    };
}
