namespace KpNet.Configuration;

/// <summary>
/// Under the Functions host (FUNCTIONS_CUSTOMHANDLER_PORT set) the host owns the triggers; anywhere else the app
/// runs its own local triggers against Azurite. Emitting function metadata always describes the Azure shape.
/// </summary>
public sealed record HostingMode(bool UnderFunctionsHost, int Port)
{
    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";
    public const int DefaultLocalPort = 7071;

    public bool RunsLocalTriggers => !UnderFunctionsHost;

    public static HostingMode From(IConfiguration configuration, bool emittingMetadata)
    {
        if (int.TryParse(configuration[CustomHandlerPortVariable], out var hostPort))
        {
            return new HostingMode(true, hostPort);
        }

        if (emittingMetadata)
        {
            return new HostingMode(true, 0);
        }

        return new HostingMode(false, int.TryParse(configuration[AppSettings.Port.Key], out var port) ? port : DefaultLocalPort);
    }
}
