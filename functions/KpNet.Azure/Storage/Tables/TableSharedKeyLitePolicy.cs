using Azure.Core;

namespace KpNet.Azure.Storage.Tables;

/// <summary>SharedKeyLite for the Table service: <c>x-ms-date \n CanonicalizedResource</c>, keeping only <c>comp</c>.</summary>
internal sealed class TableSharedKeyLitePolicy(StorageSharedKeyCredential credential)
    : SharedKeyPolicy(credential, "SharedKeyLite")
{
    internal override string BuildStringToSign(Request request)
    {
        var uri = request.Uri.ToUri();
        var resource = CanonicalizedResourcePath(uri);
        var comp = System.Web.HttpUtility.ParseQueryString(uri.Query)["comp"];
        if (comp is not null)
        {
            resource += "?comp=" + comp;
        }

        return HeaderOrEmpty(request, "x-ms-date") + "\n" + resource;
    }
}
