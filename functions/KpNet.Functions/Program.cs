using KpNet;
using KpNet.ApiContract;
using KpNet.Hosting.Functions;
using Microsoft.Extensions.Options;

const string emitOption = "--emit-functions";
var emitIndex = Array.IndexOf(args, emitOption);
if (emitIndex >= 0)
{
    if (emitIndex + 1 >= args.Length)
    {
        await Console.Error.WriteLineAsync($"usage: KpNet.Handler {emitOption} <app root>");
        return 2;
    }

    await using var metadataApp = KpNetApp.Create([], emittingMetadata: true);
    var written = FunctionMetadataWriter.Write(FunctionCatalog.Of(metadataApp), args[emitIndex + 1]);
    Console.WriteLine($"Wrote {written.Count} function.json files to {args[emitIndex + 1]}");
    return 0;
}

const string emitContractOption = "--emit-openapi";
var emitContractIndex = Array.IndexOf(args, emitContractOption);
if (emitContractIndex >= 0)
{
    if (emitContractIndex + 1 >= args.Length)
    {
        await Console.Error.WriteLineAsync($"usage: KpNet.Handler {emitContractOption} <file>");
        return 2;
    }

    // The local app, built but never started: it describes the same /api operations as under the host.
    await using var contractApp = KpNetApp.Create([]);
    await File.WriteAllTextAsync(args[emitContractIndex + 1], await OpenApiContract.GenerateAsync(contractApp));
    Console.WriteLine($"Wrote the OpenAPI document to {args[emitContractIndex + 1]}");
    return 0;
}

await using var app = KpNetApp.Create(args);
try
{
    await app.StartAsync();
}
catch (OptionsValidationException invalid)
{
    // The host keeps the handler's output in its log: one line per missing or wrong setting says what to fix.
    foreach (var failure in invalid.Failures)
    {
        await Console.Error.WriteLineAsync($"KP-NET cannot start: {failure}");
    }

    return 1;
}

await app.WaitForShutdownAsync();
return 0;
