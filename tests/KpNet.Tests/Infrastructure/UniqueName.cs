namespace KpNet.Tests.Infrastructure;

/// <summary>Table and queue names unique per test class, so classes sharing one Azurite don't interfere.</summary>
public static class UniqueName
{
    /// <summary>Letters and digits only (valid for tables and queues): <paramref name="prefix"/> + 12 hex digits.</summary>
    public static string For(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];
}
