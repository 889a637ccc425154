using Azure;

namespace KpNet.Azure.Storage.Tables;

/// <param name="ETag">For update and delete actions; <c>default</c> means any version (<c>*</c>).</param>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, ETag ETag = default);
