using System.Text.Json.Serialization;

namespace KpNet.Notifications;

/// <summary>A mail waiting in the email-outbox queue. <see cref="Id"/> is fixed when it is queued, so a redelivery is recognisable.</summary>
public sealed record OutgoingMail(string Id, string To, string Subject, string Text, string? Html, string Kind);

[JsonSerializable(typeof(OutgoingMail))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class NotificationsJsonContext : JsonSerializerContext;
