using System.Text.Json.Serialization;

namespace KpNet.Notifications;

/// <summary>A mail waiting in the email-outbox queue. <see cref="Id"/> is fixed when it is queued, so a redelivery is recognisable.</summary>
public sealed record OutgoingMail(string Id, string To, string Subject, string Text, string? Html, string Kind);

[JsonSerializable(typeof(OutgoingMail))]
// A message missing a field (or holding null where the mail needs text) is unreadable, not a mail with holes.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
internal sealed partial class NotificationsJsonContext : JsonSerializerContext;
