using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KpNet.Azure.Storage.Tables;

/// <summary>
/// One table over the Table service REST API, shaped like <c>Azure.Data.Tables.TableClient</c>.
/// Limits that Azure enforces and Azurite does not are checked before sending, with Azure's error codes.
/// </summary>
public partial class TableClient
{
    private const string JsonMinimalMetadata = "application/json;odata=minimalmetadata";
    private const int MaxPageSize = 1000;

    private readonly HttpPipeline _pipeline = null!;
    private readonly string _endpoint = null!;
    private readonly string _version = null!;

    /// <param name="connectionString">See <see cref="StorageConnectionString"/>.</param>
    public TableClient(string connectionString, string tableName, TableClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), tableName, options ?? new TableClientOptions())
    {
    }

    /// <param name="tableServiceEndpoint">E.g. <c>https://{account}.table.core.windows.net</c>.</param>
    /// <param name="credential">A Microsoft Entra credential (managed identity in Azure).</param>
    public TableClient(Uri tableServiceEndpoint, string tableName, TokenCredential credential, TableClientOptions? options = null)
        : this(tableServiceEndpoint, tableName, StoragePipeline.BearerToken(credential), options ?? new TableClientOptions())
    {
    }

    protected TableClient()
    {
        Name = string.Empty;
    }

    private TableClient(StorageConnectionString connection, string tableName, TableClientOptions options)
        : this(connection.TableEndpoint, tableName, new TableSharedKeyLitePolicy(connection.Credential), options)
    {
    }

    private TableClient(Uri endpoint, string tableName, HttpPipelinePolicy authentication, TableClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ValidateTableName(tableName);
        Name = tableName;
        _endpoint = endpoint.AbsoluteUri.TrimEnd('/');
        _version = options.VersionString;
        _pipeline = StoragePipeline.Build(options, authentication);
    }

    public virtual string Name { get; }

    /// <summary>
    /// Formats the interpolated values as escaped OData literals (strings quoted with <c>'</c> doubled,
    /// <c>123L</c>, <c>datetime'…'</c>, <c>guid'…'</c>, <c>X'…'</c>), so user input stays one literal.
    /// </summary>
    public static string CreateQueryFilter(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var literals = filter.GetArguments().Select(object? (value) => TableODataLiteral.Format(value)).ToArray();
        return string.Format(System.Globalization.CultureInfo.InvariantCulture, filter.Format, literals);
    }

    /// <summary>Creates the table; an existing table is not an error.</summary>
    public virtual async Task<Response> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(RequestMethod.Post, "/Tables");
        request.Headers.Add("Prefer", "return-no-content");
        SetJsonContent(request, Encoding.UTF8.GetBytes(JsonSerializerTableName()));
        var response = await SendAsync(request, cancellationToken);
        return response.Status is 201 or 204 || IsError(response, 409, TableErrorCode.TableAlreadyExists)
            ? response
            : throw Failure(response);
    }

    /// <summary>Deletes the table. A missing table is answered with the 404 response, not an exception.</summary>
    public virtual async Task<Response> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(RequestMethod.Delete, $"/Tables('{EscapeKey(Name)}')");
        var response = await SendAsync(request, cancellationToken);
        return response.Status is 204 or 404 ? response : throw Failure(response);
    }

    /// <exception cref="RequestFailedException">404 <c>ResourceNotFound</c> when the entity does not exist.</exception>
    public virtual async Task<Response<TableEntity>> GetEntityAsync(
        string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var response = await GetEntityResponseAsync(partitionKey, rowKey, select, cancellationToken);
        return response.Status == 200 ? Response.FromValue(ReadEntity(response), response) : throw Failure(response);
    }

    public virtual async Task<NullableResponse<TableEntity>> GetEntityIfExistsAsync(
        string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var response = await GetEntityResponseAsync(partitionKey, rowKey, select, cancellationToken);
        return response.Status switch
        {
            200 => Response.FromValue(ReadEntity(response), response),
            404 => new NoValueResponse<TableEntity>(response),
            _ => throw Failure(response),
        };
    }

    /// <summary>Inserts the entity; the new ETag is in the response's <c>ETag</c> header.</summary>
    /// <exception cref="RequestFailedException">409 <c>EntityAlreadyExists</c>, or a 400 limit violation.</exception>
    public virtual async Task<Response> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        TableEntityRules.ValidateEntity(entity);
        using var request = CreateRequest(RequestMethod.Post, "/" + Name);
        request.Headers.Add("Prefer", "return-no-content");
        SetJsonContent(request, TableEntityJson.Serialize(entity));
        var response = await SendAsync(request, cancellationToken);
        return response.Status is 201 or 204 ? response : throw Failure(response);
    }

    /// <param name="ifMatch">The entity's ETag, or <see cref="ETag.All"/> to overwrite any version.</param>
    /// <exception cref="RequestFailedException">412 <c>UpdateConditionNotSatisfied</c> when the ETag is stale.</exception>
    public virtual Task<Response> UpdateEntityAsync(
        TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        if (ifMatch == default)
        {
            throw new ArgumentException("Pass the entity's ETag, or ETag.All to update any version.", nameof(ifMatch));
        }

        return WriteEntityAsync(entity, mode, ifMatch, cancellationToken);
    }

    /// <summary>Inserts the entity, or merges into / replaces the existing one.</summary>
    public virtual Task<Response> UpsertEntityAsync(
        TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
        WriteEntityAsync(entity, mode, ifMatch: null, cancellationToken);

    /// <summary>
    /// Deletes the entity. As in the Azure SDK, a missing entity is answered with the 404 response,
    /// not an exception; a stale <paramref name="ifMatch"/> throws 412.
    /// </summary>
    /// <param name="ifMatch"><c>default</c> deletes any version.</param>
    public virtual async Task<Response> DeleteEntityAsync(
        string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(RequestMethod.Delete, EntityPath(partitionKey, rowKey));
        request.Headers.Add(HttpHeader.Names.IfMatch, TableTransactionBatch.IfMatch(ifMatch));
        var response = await SendAsync(request, cancellationToken);
        return response.Status is 204 or 404 ? response : throw Failure(response);
    }

    /// <summary>
    /// Queries entities page by page, following the continuation headers until the service sends
    /// none (a short or empty page is not the end).
    /// </summary>
    /// <param name="filter">OData filter; build it with <see cref="CreateQueryFilter"/> when it holds values.</param>
    /// <param name="maxPerPage">1..1000 (Azure's <c>$top</c> limit).</param>
    public virtual AsyncPageable<TableEntity> QueryAsync(
        string? filter = null, int? maxPerPage = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        ValidatePageSize(maxPerPage, nameof(maxPerPage));
        var selectList = select is null ? null : string.Join(',', select);
        return new DelegatingAsyncPageable<TableEntity>(
            (token, pageSizeHint, ct) => QueryPageAsync(filter, pageSizeHint ?? maxPerPage, selectList, token, ct),
            cancellationToken);
    }

    /// <summary>
    /// Runs the actions as one atomic entity group transaction: all are applied, or none.
    /// Azure's rules are checked first: 1..100 actions, one PartitionKey, each RowKey once, under 4 MiB.
    /// </summary>
    /// <returns>One response per action, in order (with the new <c>ETag</c>s).</returns>
    /// <exception cref="TableTransactionFailedException">An action failed; nothing was applied.</exception>
    public virtual async Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(
        IEnumerable<TableTransactionAction> transactionActions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionActions);
        var actions = transactionActions.ToList();
        TableTransactionBatch.Validate(actions);

        var boundary = "batch_" + Guid.NewGuid().ToString("N");
        var body = TableTransactionBatch.WriteBody(
            actions, boundary, entity => _endpoint + EntityPath(entity.PartitionKey, entity.RowKey), _endpoint + "/" + Name);

        using var request = CreateRequest(RequestMethod.Post, "/$batch");
        request.Headers.Add(HttpHeader.Names.ContentType, "multipart/mixed; boundary=" + boundary);
        request.Content = RequestContent.Create(body);
        var response = await SendAsync(request, cancellationToken);
        if (response.Status != 202)
        {
            throw Failure(response);
        }

        var parts = TableTransactionBatch.ReadParts(response.Content.ToString());
        var failed = parts.FirstOrDefault(part => part.Status >= 400);
        if (failed is not null)
        {
            throw new TableTransactionFailedException(failed, TableTransactionBatch.FailedActionIndex(failed), TableErrorParser.Instance);
        }

        if (parts.Count != actions.Count)
        {
            throw new RequestFailedException(
                response.Status, $"The transaction answer holds {parts.Count} operation responses for {actions.Count} actions.");
        }

        return Response.FromValue<IReadOnlyList<Response>>(parts, response);
    }

    private static void ValidateTableName(string tableName)
    {
        ArgumentNullException.ThrowIfNull(tableName);
        if (!TableNamePattern().IsMatch(tableName))
        {
            throw new ArgumentException(
                $"Table name '{tableName}' is invalid: 3-63 letters and digits, starting with a letter.", nameof(tableName));
        }
    }

    private static void ValidatePageSize(int? pageSize, string name)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(name, pageSize, $"A page holds 1 to {MaxPageSize} entities (Azure rejects a larger $top).");
        }
    }

    private static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private static bool IsError(Response response, int status, string errorCode) =>
        response.Status == status && TableErrorParser.Instance.TryParse(response, out var error, out _) && error?.Code == errorCode;

    private static RequestFailedException Failure(Response response) => new(response, null, TableErrorParser.Instance);

    private static void SetJsonContent(Request request, byte[] json)
    {
        request.Headers.Add(HttpHeader.Names.ContentType, "application/json");
        request.Content = RequestContent.Create(json);
    }

    private static TableEntity ReadEntity(Response response)
    {
        using var document = JsonDocument.Parse(response.Content.ToMemory());
        var entity = TableEntityJson.Read(document.RootElement);
        if (response.Headers.ETag is { } etag)
        {
            entity.ETag = etag;
        }

        return entity;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNamePattern();

    private string JsonSerializerTableName()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("TableName", Name);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private string EntityPath(string partitionKey, string rowKey)
    {
        TableEntityRules.ValidateKey(partitionKey, nameof(partitionKey));
        TableEntityRules.ValidateKey(rowKey, nameof(rowKey));
        return $"/{Name}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";
    }

    private async Task<Response> GetEntityResponseAsync(
        string partitionKey, string rowKey, IEnumerable<string>? select, CancellationToken cancellationToken)
    {
        var path = EntityPath(partitionKey, rowKey);
        if (select is not null)
        {
            path += "?$select=" + Uri.EscapeDataString(string.Join(',', select));
        }

        using var request = CreateRequest(RequestMethod.Get, path);
        return await SendAsync(request, cancellationToken);
    }

    private async Task<Response> WriteEntityAsync(TableEntity entity, TableUpdateMode mode, ETag? ifMatch, CancellationToken cancellationToken)
    {
        TableEntityRules.ValidateEntity(entity);
        var method = mode switch
        {
            TableUpdateMode.Merge => new RequestMethod("MERGE"),
            TableUpdateMode.Replace => RequestMethod.Put,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown update mode."),
        };

        using var request = CreateRequest(method, EntityPath(entity.PartitionKey, entity.RowKey));
        if (ifMatch is { } etag)
        {
            request.Headers.Add(HttpHeader.Names.IfMatch, TableTransactionBatch.IfMatch(etag));
        }

        SetJsonContent(request, TableEntityJson.Serialize(entity));
        var response = await SendAsync(request, cancellationToken);
        return response.Status == 204 ? response : throw Failure(response);
    }

    private async Task<Page<TableEntity>> QueryPageAsync(
        string? filter, int? pageSize, string? select, string? continuationToken, CancellationToken cancellationToken)
    {
        ValidatePageSize(pageSize, "pageSizeHint");
        var query = new List<string>();
        if (filter is not null)
        {
            query.Add("$filter=" + Uri.EscapeDataString(filter));
        }

        if (select is not null)
        {
            query.Add("$select=" + Uri.EscapeDataString(select));
        }

        if (pageSize is { } top)
        {
            query.Add("$top=" + top.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (continuationToken is not null)
        {
            var keys = continuationToken.Split(' ', 2);
            query.Add("NextPartitionKey=" + Uri.EscapeDataString(keys[0]));
            if (keys.Length > 1 && keys[1].Length > 0)
            {
                query.Add("NextRowKey=" + Uri.EscapeDataString(keys[1]));
            }
        }

        var path = $"/{Name}()" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty);
        using var request = CreateRequest(RequestMethod.Get, path);
        var response = await SendAsync(request, cancellationToken);
        if (response.Status != 200)
        {
            throw Failure(response);
        }

        using var document = JsonDocument.Parse(response.Content.ToMemory());
        var entities = document.RootElement.GetProperty("value").EnumerateArray().Select(TableEntityJson.Read).ToList();

        // Opaque tokens; joined with a space, which the service never puts in them.
        string? nextToken = null;
        if (response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPartitionKey))
        {
            response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRowKey);
            nextToken = nextPartitionKey + " " + nextRowKey;
        }

        return Page<TableEntity>.FromValues(entities, nextToken, response);
    }

    private Request CreateRequest(RequestMethod method, string pathAndQuery)
    {
        var request = _pipeline.CreateRequest();
        request.Method = method;
        request.Uri.Reset(new Uri(_endpoint + pathAndQuery));
        request.Headers.Add("x-ms-version", _version);
        request.Headers.Add("DataServiceVersion", "3.0");
        request.Headers.Add(HttpHeader.Names.Accept, JsonMinimalMetadata);
        return request;
    }

    private async Task<Response> SendAsync(Request request, CancellationToken cancellationToken) =>
        await _pipeline.SendRequestAsync(request, cancellationToken);
}
