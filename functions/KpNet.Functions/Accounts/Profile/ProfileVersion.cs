using System.Security.Cryptography;
using System.Text.Json;
using KpNet.Accounts.Sessions;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace KpNet.Accounts.Profile;

/// <summary>
/// The registration data's version, sent as its ETag by GET and PUT /api/me/profile and expected back in If-Match by
/// PUT, so that a change made from a screen that read older data (another tab, another device) is refused (412) instead
/// of silently undoing the newer one. A hash of the data as the API shows it: it changes exactly when what a screen
/// shows changes, not when sign-in bookkeeping rewrites the account's row.
/// </summary>
internal static class ProfileVersion
{
    public static string Of(SessionsApi.Profile profile) =>
        $"\"{Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(profile, JsonSerializerOptions.Web)))[..32]}\"";

    /// <summary>No If-Match (a client that does not ask for the check), "*", or one of its tags is the current version.</summary>
    public static bool Satisfies(IList<EntityTagHeaderValue> ifMatch, SessionsApi.Profile current)
    {
        var version = new EntityTagHeaderValue(Of(current));
        return ifMatch.Count == 0 || ifMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(version, useStrongComparison: true));
    }

    /// <summary>The data with its version in the ETag header.</summary>
    public static IResult Answer(HttpContext context, SessionsApi.Profile profile)
    {
        context.Response.Headers.ETag = Of(profile);
        return TypedResults.Ok(profile);
    }

    /// <summary>Documents the ETag of the 200 and, for a change, the If-Match it checks.</summary>
    public static RouteHandlerBuilder WithProfileVersion(this RouteHandlerBuilder endpoint, bool checksIfMatch) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse answer)
            {
                answer.Headers ??= new Dictionary<string, IOpenApiHeader>();
                answer.Headers["ETag"] = new OpenApiHeader
                {
                    Description = "The registration data's version: send it back in If-Match with a change.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }

            if (checksIfMatch)
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "If-Match",
                    In = ParameterLocation.Header,
                    Description = "The ETag of the registration data the change was made from; when it is no longer the current one, nothing is changed (412). Without it the change applies to whatever is stored.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }

            return Task.CompletedTask;
        });
}
