using Azure;

namespace KpNet.Azure.Storage.Tables;

/// <summary>
/// Builds the 400 that Azure would answer, for limits checked before sending (Azurite does not
/// enforce several of them).
/// </summary>
internal static class TableLimitException
{
    public static RequestFailedException Create(string errorCode, string message, int status = 400) =>
        new(status, $"{message} (checked by the client before sending)", errorCode, null);
}
