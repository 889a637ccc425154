namespace KpNet.Azure.Storage.Tables;

public enum TableUpdateMode
{
    /// <summary>Properties not in the entity are kept (MERGE).</summary>
    Merge,

    /// <summary>Properties not in the entity are removed (PUT).</summary>
    Replace,
}
