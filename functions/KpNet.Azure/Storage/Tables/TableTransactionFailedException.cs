using Azure;
using Azure.Core;

namespace KpNet.Azure.Storage.Tables;

/// <summary>
/// A transaction was rejected and none of its actions were applied. <see cref="RequestFailedException.Status"/>
/// and <see cref="RequestFailedException.ErrorCode"/> are those of the failing action.
/// </summary>
public sealed class TableTransactionFailedException : RequestFailedException
{
    public TableTransactionFailedException()
        : base("The table transaction failed.")
    {
    }

    public TableTransactionFailedException(string message)
        : base(message)
    {
    }

    public TableTransactionFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal TableTransactionFailedException(Response failedActionResponse, int? failedTransactionActionIndex, RequestFailedDetailsParser parser)
        : base(failedActionResponse, null, parser)
    {
        FailedTransactionActionIndex = failedTransactionActionIndex;
    }

    /// <summary>Zero-based index of the action that failed, when the service says which.</summary>
    public int? FailedTransactionActionIndex { get; }
}
