using Azure;

namespace KpNet.Azure.Storage;

public static class NullableResponseExtensions
{
    /// <summary>The value of an <c>…IfExists</c> answer, or null when the resource does not exist (reading <c>Value</c> then throws, as in the Azure SDK).</summary>
    public static T? ValueOrNull<T>(this NullableResponse<T> response)
        where T : class => response.HasValue ? response.Value : null;
}
