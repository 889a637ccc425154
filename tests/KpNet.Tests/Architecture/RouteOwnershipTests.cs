using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace KpNet.Tests.Architecture;

/// <summary>Every route prefix (/api/gateways, /api/me, /api/operator …) has one owning folder, so its routes, rules and roles are read in one place.</summary>
public sealed class RouteOwnershipTests
{
    [Fact]
    public async Task Every_api_route_prefix_is_mapped_by_handlers_of_one_folder()
    {
        await using var app = KpNetApp.Create(["--Email:SenderAddress=no-reply@kpnet.example.jp", "--Email:ConnectionString=endpoint=https://kpnet.communication.azure.com/;accesskey=a2V5"], emittingMetadata: true);

        var owners = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal) && e.Metadata.GetMetadata<MethodInfo>() is not null)
            .Select(e => (Prefix: Prefix(e.RoutePattern.RawText!), Folder: FolderOf(e.Metadata.GetMetadata<MethodInfo>()!), Route: e.RoutePattern.RawText!))
            .GroupBy(e => e.Prefix)
            .ToList();

        Assert.Contains(owners, prefix => prefix.Key == "/api/gateways");
        var shared = owners.Where(prefix => prefix.Select(e => e.Folder).Distinct().Count() > 1)
            .Select(prefix => $"{prefix.Key}: " + string.Join("; ", prefix.GroupBy(e => e.Folder).Select(f => $"{f.Key} ({string.Join(", ", f.Select(e => e.Route).Distinct())})")));
        Assert.Empty(shared);
    }

    private static string Prefix(string route) => "/api/" + route["/api/".Length..].Split('/')[0];

    private static string FolderOf(MethodInfo handler)
    {
        var type = handler.DeclaringType!;
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type.Namespace!.Split('.')[1];
    }
}
