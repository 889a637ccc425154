namespace KpNet.Notices;

public static class NoticesApi
{
    public static IEndpointRouteBuilder MapNotices(this IEndpointRouteBuilder app) => app;
}
