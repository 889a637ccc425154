using System.Reflection;
using KpNet.Notifications;

namespace KpNet.Tests.Notifications;

/// <summary>Every kind of mail the app sends: the <see cref="MailTemplate"/> fields of its mail classes.</summary>
public static class MailTemplateCatalogue
{
    public static IReadOnlyList<MailTemplate> All { get; } = typeof(MailTemplate).Assembly.GetTypes()
        .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static))
        .Where(field => field.FieldType == typeof(MailTemplate))
        .Select(field => (MailTemplate)field.GetValue(null)!)
        .ToList();
}
