namespace KpNet.Hosting.Functions;

/// <summary>The declared queue, Event Hubs and timer functions, by name.</summary>
public sealed class TriggerFunctions(IEnumerable<FunctionDefinition> definitions)
{
    private readonly Dictionary<string, FunctionDefinition> _byName = definitions.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<FunctionDefinition> All => _byName.Values;

    public FunctionDefinition? Find(string name) => _byName.GetValueOrDefault(name);

    public IEnumerable<(FunctionDefinition Function, TTrigger Trigger)> OfTrigger<TTrigger>()
        where TTrigger : FunctionTrigger =>
        _byName.Values.Where(f => f.Trigger is TTrigger).Select(f => (f, (TTrigger)f.Trigger));
}
