namespace KpNet.Hosting.Invocation;

public sealed class MalformedInvocationException(string reason, Exception? inner = null) : Exception(reason, inner);
