using System.Xml;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace KpNet.Azure.Storage.Queues;

/// <summary>Reads the <c>x-ms-error-code</c> header, else <c>&lt;Error&gt;&lt;Code&gt;</c> from the XML body.</summary>
internal sealed class QueueErrorParser : RequestFailedDetailsParser
{
    public static readonly QueueErrorParser Instance = new();

    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        data = null;
        XElement? body = null;
        if (!response.Content.ToMemory().IsEmpty)
        {
            try
            {
                body = XDocument.Parse(response.Content.ToString()).Root;
            }
            catch (XmlException)
            {
                // Not XML: the header alone decides.
            }
        }

        var code = response.Headers.TryGetValue("x-ms-error-code", out var header) ? header : body?.Element("Code")?.Value;
        error = code is null ? null : new ResponseError(code, body?.Element("Message")?.Value);
        return error is not null;
    }
}
