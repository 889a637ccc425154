using System.Collections.ObjectModel;
using Azure;

namespace KpNet.Azure.Email;

/// <summary>An email address and, optionally, the name shown beside it.</summary>
public sealed class EmailAddress
{
    public EmailAddress(string address, string? displayName = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        Address = address;
        DisplayName = displayName;
    }

    public string Address { get; }

    public string? DisplayName { get; }

    public override string ToString() => DisplayName is null ? Address : $"{DisplayName} <{Address}>";
}

/// <summary>To, CC and BCC recipients; ACS needs at least one To and at most 50 in total.</summary>
public sealed class EmailRecipients
{
    public EmailRecipients(IEnumerable<EmailAddress>? to = null, IEnumerable<EmailAddress>? cc = null, IEnumerable<EmailAddress>? bcc = null)
    {
        To = [.. to ?? []];
        CC = [.. cc ?? []];
        BCC = [.. bcc ?? []];
    }

    public IList<EmailAddress> To { get; }

    public IList<EmailAddress> CC { get; }

    public IList<EmailAddress> BCC { get; }

    internal int Count => To.Count + CC.Count + BCC.Count;
}

/// <summary>Subject and body; ACS needs the subject and at least one of <see cref="PlainText"/> and <see cref="Html"/>.</summary>
public sealed class EmailContent
{
    public EmailContent(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        Subject = subject;
    }

    public string Subject { get; }

    public string? PlainText { get; set; }

    public string? Html { get; set; }
}

/// <summary>One email to send, shaped like <c>Azure.Communication.Email.EmailMessage</c> (without attachments).</summary>
public sealed class EmailMessage
{
    public EmailMessage(string senderAddress, EmailRecipients recipients, EmailContent content)
    {
        ArgumentNullException.ThrowIfNull(senderAddress);
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(content);
        SenderAddress = senderAddress;
        Recipients = recipients;
        Content = content;
    }

    public EmailMessage(string senderAddress, string recipientAddress, EmailContent content)
        : this(senderAddress, new EmailRecipients([new EmailAddress(recipientAddress)]), content)
    {
    }

    /// <summary>An address on a domain verified for the ACS resource (e.g. <c>DoNotReply@mail.example.jp</c>).</summary>
    public string SenderAddress { get; }

    public EmailRecipients Recipients { get; }

    public EmailContent Content { get; }

    /// <summary>Custom headers, e.g. <c>x-kpnet-kind</c>.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public IList<EmailAddress> ReplyTo { get; } = new Collection<EmailAddress>();

    /// <summary>Sent as <c>userEngagementTrackingDisabled</c>; on by default so no open/click tracking is added to our mails.</summary>
    public bool UserEngagementTrackingDisabled { get; set; } = true;
}

/// <summary>State of a send operation (<c>NotStarted|Running|Succeeded|Failed|Canceled</c>, extensible).</summary>
public readonly struct EmailSendStatus : IEquatable<EmailSendStatus>
{
    private readonly string _value;

    public EmailSendStatus(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    public static EmailSendStatus NotStarted { get; } = new("NotStarted");

    public static EmailSendStatus Running { get; } = new("Running");

    public static EmailSendStatus Succeeded { get; } = new("Succeeded");

    public static EmailSendStatus Failed { get; } = new("Failed");

    public static EmailSendStatus Canceled { get; } = new("Canceled");

    /// <summary>True for <c>Succeeded</c>, <c>Failed</c> and <c>Canceled</c>.</summary>
    public bool IsTerminal => this == Succeeded || this == Failed || this == Canceled;

    public static bool operator ==(EmailSendStatus left, EmailSendStatus right) => left.Equals(right);

    public static bool operator !=(EmailSendStatus left, EmailSendStatus right) => !left.Equals(right);

    public bool Equals(EmailSendStatus other) => string.Equals(_value, other._value, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => obj is EmailSendStatus other && Equals(other);

    public override int GetHashCode() => _value is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(_value);

    public override string ToString() => _value ?? string.Empty;
}

/// <summary>
/// The service's answer to a send (202) or a status poll (200). <see cref="Succeeded"/> means accepted for
/// delivery; per-recipient results come through Event Grid or Azure Monitor.
/// </summary>
public sealed record EmailSendResult(string Id, EmailSendStatus Status, ResponseError? Error = null);
