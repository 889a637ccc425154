using System.Diagnostics;
using System.Runtime.InteropServices;

namespace KpNet.Tests.Infrastructure;

/// <summary>POSIX signals to a child process: freeze and thaw it, or ask it to shut down the way a platform does.</summary>
public static class ProcessSignals
{
    public const int Terminate = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    public static void Send(Process process, int signal)
    {
        if (kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"Signal {signal} to process {process.Id} failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
