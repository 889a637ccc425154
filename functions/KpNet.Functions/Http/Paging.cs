using KpNet.Http.Forms;

namespace KpNet.Http;

/// <summary>One page of a list, with the total the whole list has.</summary>
public sealed record PageView<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

/// <summary>The page and page size a list endpoint takes from its query.</summary>
public static class Paging
{
    public const int DefaultPageSize = 10;
    public const int MaxPageSize = 100;

    public static readonly FieldRules PageRules = new() { Minimum = 1, Description = "The page, from 1 (the default)." };

    public static readonly FieldRules PageSizeRules = new() { Minimum = 1, Maximum = MaxPageSize, Description = $"Items a page, {DefaultPageSize} unless asked." };

    /// <summary>The query's page and page size, as <see cref="Read"/> checks them, in the contract of the endpoint that reads them.</summary>
    public static RouteHandlerBuilder WithPagingRules(this RouteHandlerBuilder builder) =>
        builder.WithQueryRules("page", PageRules).WithQueryRules("pageSize", PageSizeRules);

    /// <summary>Page and page size from the query: 1-based, 10 a page unless asked; field errors when they are not numbers in range.</summary>
    public static (int Page, int PageSize)? Read(HttpContext context, ValidationErrors errors)
    {
        var page = ReadPositive(context, "page", PageRules.Minimum!.Value, int.MaxValue, errors);
        var pageSize = ReadPositive(context, "pageSize", DefaultPageSize, PageSizeRules.Maximum!.Value, errors);
        return errors.Any ? null : (page, pageSize);
    }

    private static int ReadPositive(HttpContext context, string name, int fallback, int max, ValidationErrors errors)
    {
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        if (!int.TryParse(JsonForm.Normalize(text), System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 1 || value > max)
        {
            errors.Add(name, MessageKey.RegistrationFieldInvalid);
        }

        return value;
    }
}
