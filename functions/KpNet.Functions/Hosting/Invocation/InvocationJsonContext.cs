using System.Text.Json.Serialization;

namespace KpNet.Hosting.Invocation;

[JsonSerializable(typeof(string))]
internal sealed partial class InvocationJsonContext : JsonSerializerContext;
