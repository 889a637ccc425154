using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KpNet.Tests.Infrastructure;

namespace KpNet.Tests.ApiContract;

/// <summary>A command of the npm packages pinned in the repository's package.json (node_modules/.bin), run as a child process with its output kept.</summary>
internal sealed class NodeTool : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeTool(string tool, IEnumerable<string> arguments, string? workingDirectory)
    {
        var executable = Path.Combine(RepositoryRoot.Path, "node_modules", ".bin", tool);
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: run 'npm ci' in {RepositoryRoot.Path}.");
        }

        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory ?? RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // No colours in the output we quote, and no tool calls home (telemetry, update checks): tests need no internet.
            Environment = { ["NO_COLOR"] = "1", ["FORCE_COLOR"] = "0", ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    /// <summary>Starts a long-running tool (a server); dispose of it, or <see cref="Kill"/> it, when done.</summary>
    public static NodeTool Start(string tool, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var started = new NodeTool(tool, arguments, workingDirectory);
        started._process.Start();
        started._process.BeginOutputReadLine();
        started._process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Runs a tool to its end (at most 5 minutes): its exit code and the end of its output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        using var run = Start(tool, arguments, workingDirectory);
        using var timeout = new CancellationTokenSource(RunTimeout);
        try
        {
            await run._process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            run.Kill();
            throw new TimeoutException($"{tool} ran over {RunTimeout.TotalMinutes} minutes:\n{run.Tail()}");
        }

        // The parameterless wait also waits for the last output lines.
        run._process.WaitForExit();
        return (run._process.ExitCode, run.Tail());
    }

    /// <summary>Waits until the tool accepts connections on <paramref name="port"/> (at most a minute).</summary>
    public static async Task WaitForListenerAsync(NodeTool server, int port)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            if (server._process.HasExited)
            {
                throw new InvalidOperationException($"{server._process.StartInfo.FileName} exited:\n{server.Tail()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                // Not listening yet.
            }
        }

        throw new TimeoutException($"{server._process.StartInfo.FileName} did not listen on {port} within a minute:\n{server.Tail()}");
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The last 20,000 characters of what the tool wrote.</summary>
    public string Tail()
    {
        lock (_output)
        {
            var text = _output.ToString();
            return text.Length <= 20_000 ? text : "…" + text[^20_000..];
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
