using Azure;

namespace KpNet.Azure.Storage;

/// <summary>The "not found" answer of an <c>…IfExists</c> call, as the Azure SDK returns it.</summary>
internal sealed class NoValueResponse<T>(Response response) : NullableResponse<T>
{
    public override bool HasValue => false;

    public override T Value => throw new InvalidOperationException("The resource does not exist; check HasValue first.");

    public override Response GetRawResponse() => response;
}
