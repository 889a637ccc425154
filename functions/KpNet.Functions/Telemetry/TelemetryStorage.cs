using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using KpNet.Azure.Storage;
using KpNet.Hosting;
using KpNet.Inventory;

namespace KpNet.Telemetry;

/// <summary>
/// The storage accounts the per-gateway telemetry tables are spread over (settings TelemetryStorage__Shards__0__…,
/// __1__…: each an account name in Azure, reached with the managed identity, or a connection string locally), so that
/// the hot path's requests are not bound by what one account serves. Account data stays in AzureWebJobsStorage.
/// <para>
/// A gateway's shard is chosen by <see cref="HashShard"/> over the shards configured when it first sends, and recorded
/// on its inventory row (<see cref="ShardColumn"/>, in the main account) by the same point read that finds it in the
/// inventory. From then on every reader and writer goes to the recorded shard, so adding shards moves nobody: new
/// gateways spread over all of them, existing ones stay where their rows are. Shards are therefore only ever appended.
/// </para>
/// </summary>
public sealed class TelemetryStorage(IConfiguration configuration, StorageAccount storage) : IStorageTableSource
{
    public const string Section = "TelemetryStorage:Shards";
    public const string ShardColumn = "TelemetryShard";

    private static readonly string[] ShardOnly = [ShardColumn];

    private readonly Lazy<IReadOnlyList<TelemetryTables>> _shards = new(() => ReadShards(configuration, storage));

    /// <summary>
    /// How many gateways' shards an instance keeps in each of its two caches (about 100 bytes each): more than the
    /// gateways one instance ingests for (README: Cost and scale), so steady ingestion reads none; past it an arbitrary
    /// entry goes, which costs one point read the next time that gateway is met.
    /// </summary>
    public const int MaxKnownGateways = 200_000;

    // Recorded shards never change, so the ones this instance has met are kept.
    private readonly GatewayCache<TelemetryTables> _recorded = new(MaxKnownGateways);

    // Inventory gateways that had not sent when this instance read them: the shard their first contact will record, as
    // every instance runs with the same shards (changing the settings restarts them all). Kept apart from the recorded
    // ones, which alone spare ingestion its read (and so its recording).
    private readonly GatewayCache<TelemetryTables> _unsent = new(MaxKnownGateways);

    public IReadOnlyList<TelemetryTables> Shards => _shards.Value;

    /// <summary>The telemetry tables of every shard, for local mode to create.</summary>
    public IEnumerable<(string Table, string Connection)> Tables =>
        Shards.SelectMany(shard => TelemetryTables.Names.Select(table => (table, shard.Connection)));

    private TableClient Inventory => storage.GetTableClient(GatewayInventory.TableName);

    /// <summary>
    /// The shard a key falls in among <paramref name="shardCount"/>: the first 8 bytes of the SHA-256 of its UTF-8,
    /// big-endian, modulo the count. Defined here, not by the runtime (string.GetHashCode differs per process), so every
    /// instance and version agrees.
    /// </summary>
    public static int HashShard(string key, int shardCount)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % (ulong)shardCount);
    }

    /// <summary>
    /// Where a gateway's telemetry rows are: its recorded shard, or, for a gateway that has never sent, the shard its
    /// hash picks today (which holds none of its rows yet). One point read of the inventory the first time this instance
    /// meets a gateway of the inventory, none after; an ID not in the inventory is read each time (and never kept, so
    /// IDs that others choose cannot fill the memory).
    /// </summary>
    public async ValueTask<TelemetryTables> OfGatewayAsync(string gatewayId, CancellationToken cancellationToken)
    {
        if ((_recorded.Find(gatewayId) ?? _unsent.Find(gatewayId)) is { } known)
        {
            return known;
        }

        var row = (await Inventory.GetEntityIfExistsAsync<TableEntity>(gatewayId, "", ShardOnly, cancellationToken)).ValueOrNull();
        if (row is not null && Recorded(gatewayId, row) is { } recorded)
        {
            return Shards[recorded];
        }

        var hashed = HashShard(gatewayId, Shards.Count);
        if (row is not null)
        {
            _unsent.Remember(gatewayId, Shards[hashed]);
        }

        return Shards[hashed];
    }

    /// <summary>
    /// The first contact of this instance with a gateway that sends: whether it is in the inventory, recording its shard
    /// there when no instance has yet (ETag-conditional, so concurrent first contacts agree on one).
    /// </summary>
    public async Task<bool> ContactAsync(string gatewayId, CancellationToken cancellationToken)
    {
        while (_recorded.Find(gatewayId) is null)
        {
            var row = (await Inventory.GetEntityIfExistsAsync<TableEntity>(gatewayId, "", ShardOnly, cancellationToken)).ValueOrNull();
            if (row is null)
            {
                return false;
            }

            if (Recorded(gatewayId, row) is not null)
            {
                break;
            }

            var shard = new TableEntity(gatewayId, "") { [ShardColumn] = HashShard(gatewayId, Shards.Count) };
            try
            {
                await Inventory.UpdateEntityAsync(shard, row.ETag, TableUpdateMode.Merge, cancellationToken);
                _recorded.Remember(gatewayId, Shards[(int)shard[ShardColumn]]);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Another instance recorded the gateway's shard first: the next read returns it.
            }
        }

        return true;
    }

    /// <summary>Whether this instance has already met the gateway (<see cref="ContactAsync"/> would answer true without a request).</summary>
    public bool IsKnown(string gatewayId) => _recorded.Find(gatewayId) is not null;

    private int? Recorded(string gatewayId, TableEntity row)
    {
        if (row.GetInt32(ShardColumn) is not { } shard)
        {
            return null;
        }

        if (shard >= Shards.Count)
        {
            throw new InvalidOperationException(
                $"Gateway {gatewayId}'s telemetry is in shard {shard}, but only {Shards.Count} are configured: shards can be added, never removed.");
        }

        _recorded.Remember(gatewayId, Shards[shard]);
        return shard;
    }

    private static List<TelemetryTables> ReadShards(IConfiguration configuration, StorageAccount storage)
    {
        var shards = new List<TelemetryTables>();
        while (configuration.GetSection($"{Section}:{shards.Count.ToString(CultureInfo.InvariantCulture)}") is { } shard && shard.GetChildren().Any())
        {
            shards.Add(new TelemetryTables(storage, shards.Count, shard.Path));
        }

        var configured = configuration.GetSection(Section).GetChildren().Count();
        if (shards.Count == 0 || configured != shards.Count)
        {
            throw new InvalidOperationException(
                $"Telemetry storage is not configured: set TelemetryStorage__Shards__0__accountName (__connectionString locally), __1__… numbered from 0 without gaps ({configured} given, {shards.Count} in sequence).");
        }

        return shards;
    }
}
