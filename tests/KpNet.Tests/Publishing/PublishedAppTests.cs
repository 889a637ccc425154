using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.Publishing;

/// <summary>The deployable folder works the way the Functions host uses it.</summary>
public sealed class PublishedAppTests(PublishedApp published) : IClassFixture<PublishedApp>
{
    [Fact]
    public void The_package_holds_host_json_the_self_contained_handler_and_a_function_json_per_function()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(published.Folder, "host.json")));
        var handler = hostJson.RootElement.GetProperty("customHandler");
        var executable = handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString()!;

        Assert.Equal("2.0", hostJson.RootElement.GetProperty("version").GetString());
        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.True(File.Exists(Path.Combine(published.Folder, executable)), $"{executable} is not in the package");
        Assert.True(File.Exists(Path.Combine(published.Folder, "libcoreclr.so")), "the handler is not self-contained");
        Assert.True(File.Exists(Path.Combine(published.Folder, "Health", "function.json")));
        Assert.True(File.Exists(Path.Combine(published.Folder, "SendEmail", "function.json")));

        using var zip = ZipFile.OpenRead(published.Package);
        var entries = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToHashSet();
        Assert.Contains("host.json", entries);
        Assert.Contains(executable, entries);
        Assert.Contains("Health/function.json", entries);
        Assert.Contains("SendEmail/function.json", entries);
    }

    [Fact]
    public async Task Started_as_the_host_starts_it_the_handler_listens_on_the_given_port_and_serves_health()
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Path.Combine(published.Folder, "KpNet.Handler"))
        {
            WorkingDirectory = published.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        using var handler = Process.Start(start)!;
        var output = new StringBuilder();
        handler.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        handler.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        handler.BeginOutputReadLine();
        handler.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var health = await Eventually.ReturnsAsync(
                async () =>
                {
                    try
                    {
                        return await client.GetAsync("/api/health");
                    }
                    catch (HttpRequestException)
                    {
                        return null;
                    }
                },
                response => response is not null,
                TimeSpan.FromSeconds(30),
                "the handler to listen");

            Assert.Equal(HttpStatusCode.OK, health!.StatusCode);
            Assert.Equal("""{"status":"ok"}""", await health.Content.ReadAsStringAsync());
            var invocation = await client.PostAsync("/NoSuchFunction", new StringContent("{}"));
            Assert.Equal(HttpStatusCode.NotFound, invocation.StatusCode);
        }
        finally
        {
            handler.Kill(entireProcessTree: true);
            await handler.WaitForExitAsync();
        }

        lock (output)
        {
            Assert.Contains("\"EventId\"", output.ToString(), StringComparison.Ordinal);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
