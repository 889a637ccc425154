using System.Net.Http.Json;
using System.Text.Json;

namespace KpNet.Simulator;

/// <summary>
/// What a real gateway does with its settings: it reads the desired ones with its ID and password
/// (POST /api/gateway-api/settings) and, when their version is one it has not applied, applies them and reports so
/// (POST /api/gateway-api/settings/applied), which turns the monitoring screen's 反映待ち into 反映済み.
/// </summary>
public sealed class SettingsPoller(HttpClient app, IEnumerable<DemoGateway> gateways)
{
    private readonly IReadOnlyList<DemoGateway> _gateways = gateways.Where(g => g.Password is not null).ToList();
    private readonly Dictionary<string, int> _applied = [];

    /// <summary>One poll of every gateway; answers how many applied new settings. A gateway the app refuses is tried next time.</summary>
    public async Task<int> PollAsync(CancellationToken cancellationToken)
    {
        var applied = 0;
        foreach (var gateway in _gateways)
        {
            using var desired = await app.PostAsync("/api/gateway-api/settings", Json(new { id = gateway.Id, password = gateway.Password }), cancellationToken);
            if (!desired.IsSuccessStatusCode)
            {
                continue;
            }

            var version = (await desired.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("version").GetInt32();
            if (version == 0 || _applied.GetValueOrDefault(gateway.Id) == version)
            {
                continue;
            }

            using var report = await app.PostAsync("/api/gateway-api/settings/applied", Json(new { id = gateway.Id, password = gateway.Password, version }), cancellationToken);
            if (report.IsSuccessStatusCode)
            {
                _applied[gateway.Id] = version;
                applied++;
            }
        }

        return applied;
    }

    /// <summary>JSON with a Content-Length: the Functions host forwards a body only with one (see README).</summary>
    private static ByteArrayContent Json(object body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
        content.Headers.ContentType = new("application/json");
        return content;
    }
}
