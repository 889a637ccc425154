using System.Globalization;
using System.Text.Json.Nodes;
using KpNet.Http.Forms;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KpNet.ApiContract;

/// <summary>
/// The request body of every operation that names its reader (<see cref="RequestForm"/>): a JSON schema built from the
/// fields the reader reads and the rules it states (<see cref="JsonForm.Describe"/>), one component per operation
/// ("{OperationId}Request"). So a body's schema changes with the code that validates it, never apart from it.
/// </summary>
internal sealed class RequestBodies : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        foreach (var query in metadata.OfType<QueryParameterRules>())
        {
            DescribeQueryParameter(operation, query);
        }

        if (metadata.OfType<NoRequestBody>().Any())
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = false,
                Description = "None: the action is all in the path, and nothing of a body is read.",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } } },
            };
            return Task.CompletedTask;
        }

        if (metadata.OfType<RequestForm>().FirstOrDefault() is not { } form)
        {
            return Task.CompletedTask;
        }

        var document = context.Document!;
        var name = operation.OperationId + "Request";
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[name] = SchemaOf(form.Fields);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "Text is NFKC-normalised and trimmed before these rules apply (passwords excepted); null or blank is absent, and unknown fields are ignored.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(name, document) },
            },
        };
        return Task.CompletedTask;
    }

    // A parameter the endpoint binds is described where the generator put it; one it reads from the query itself is added.
    private static void DescribeQueryParameter(OpenApiOperation operation, QueryParameterRules query)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.OfType<OpenApiParameter>().FirstOrDefault(p => p.In == ParameterLocation.Query && p.Name == query.Name) is not { } parameter)
        {
            parameter = new OpenApiParameter { Name = query.Name, In = ParameterLocation.Query };
            operation.Parameters.Add(parameter);
        }

        var schema = SchemaOf(new Node { Field = new FormField(query.Name, FieldKind.Text, query.Rules, Required: false) });
        if (query.Rules.Minimum is not null || query.Rules.Maximum is not null)
        {
            schema.Type = JsonSchemaType.Integer;
        }

        parameter.Description = schema.Description;
        schema.Description = null;
        parameter.Schema = schema;
    }

    // The fields as a tree by JSON path: "site.postalCode" under "site", "staffEmails[0]" as the items of "staffEmails".
    private sealed class Node
    {
        public Dictionary<string, Node> Properties { get; } = new(StringComparer.Ordinal);

        public Node? Items { get; set; }

        public FormField? Field { get; set; }

        public bool Required => Field?.Required == true || Properties.Values.Any(property => property.Required);
    }

    private static OpenApiSchema SchemaOf(IReadOnlyList<FormField> fields)
    {
        var root = new Node();
        foreach (var field in fields)
        {
            var node = root;
            foreach (var segment in field.Path.Split('.'))
            {
                var bracket = segment.IndexOf('[', StringComparison.Ordinal);
                var name = bracket < 0 ? segment : segment[..bracket];
                if (!node.Properties.TryGetValue(name, out var child))
                {
                    node.Properties[name] = child = new Node();
                }

                node = bracket < 0 ? child : child.Items ??= new Node();
            }

            node.Field = field;
        }

        return SchemaOf(root);
    }

    private static OpenApiSchema SchemaOf(Node node)
    {
        var rules = node.Field?.Rules ?? new FieldRules();
        var schema = new OpenApiSchema { Description = rules.Description };
        if (node.Properties.Count > 0)
        {
            schema.Type = JsonSchemaType.Object;
            schema.Properties = new Dictionary<string, IOpenApiSchema>();
            foreach (var (name, property) in node.Properties)
            {
                var child = (OpenApiSchema)SchemaOf(property);
                if (property.Required)
                {
                    schema.Required ??= new HashSet<string>(StringComparer.Ordinal);
                    schema.Required.Add(name);
                }
                else if (property.Properties.Count == 0)
                {
                    // An optional field may be null: it reads as absent. (An optional object may be too, but a type list
                    // on an object hides its fields from tools such as portman, which then fuzz them at the wrong path.)
                    child.Type |= JsonSchemaType.Null;
                }

                schema.Properties[name] = child;
            }

            return schema;
        }

        schema.Type = node.Field?.Kind switch
        {
            FieldKind.TextOrNumber => JsonSchemaType.String | JsonSchemaType.Integer,
            FieldKind.Array => JsonSchemaType.Array,
            _ when node.Items is not null => JsonSchemaType.Array,
            _ => JsonSchemaType.String,
        };
        schema.Items = node.Items is null ? null : SchemaOf(node.Items);
        schema.MinLength = rules.MinLength;
        schema.MaxLength = rules.MaxLength;
        schema.Pattern = rules.Pattern;
        schema.Format = rules.Format;
        schema.Minimum = rules.Minimum?.ToString(CultureInfo.InvariantCulture);
        schema.Maximum = rules.Maximum?.ToString(CultureInfo.InvariantCulture);
        schema.MinItems = rules.MinItems;
        schema.MaxItems = rules.MaxItems;
        schema.Enum = rules.Values?.Select(value => (JsonNode)JsonValue.Create(value)).ToList();
        return schema;
    }
}
