using System.Security.Cryptography;
using System.Text;

namespace KpNet.Azure.Storage;

/// <summary>An account name and its base64-decoded key; signs Shared Key strings.</summary>
internal sealed class StorageSharedKeyCredential
{
    private readonly byte[] _key;

    /// <exception cref="FormatException"><paramref name="accountKey"/> is not base64.</exception>
    public StorageSharedKeyCredential(string accountName, string accountKey)
    {
        AccountName = accountName;
        _key = Convert.FromBase64String(accountKey);
    }

    public string AccountName { get; }

    public string ComputeSignature(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));
}
