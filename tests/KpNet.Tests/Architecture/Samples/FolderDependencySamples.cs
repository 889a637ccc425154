// Two folders that use each other only where a signature cannot show it: in a lambda and in an async method's body.
namespace KpNet.Tests.Architecture.Samples.Left
{
    public static class Caller
    {
        public static Func<object> Later() => () => new Right.Callee();
    }
}

namespace KpNet.Tests.Architecture.Samples.Right
{
    public sealed class Callee
    {
        public static async Task<int> CountAsync()
        {
            await Task.Yield();
            return Left.Caller.Later() is null ? 0 : 1;
        }
    }
}
