using Microsoft.AspNetCore.Http;

namespace QuotaKit.AspNetCore;

/// <summary>
/// The minimal API filter added by <c>RequireQuota</c>. It runs after parameter binding (so a body amount is read
/// once) and before the handler. An endpoint with several <c>RequireQuota</c> calls (its groups' and its own) gets several
/// filters; the outermost gates every requirement at once, the others see the decision and pass.
/// </summary>
internal sealed class QuotaEndpointFilter(QuotaGate gate) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Features.Get<IQuotaFeature>() is not null)
        {
            return await next(context);
        }

        var requirements = QuotaGate.RequirementsOf(http);
        var rejection = await gate.AdmitAsync(http, context.Arguments as IReadOnlyList<object?> ?? [.. context.Arguments], requirements);
        if (rejection is not null)
        {
            return rejection;
        }

        object? result;
        try
        {
            result = await next(context);
        }
        catch
        {
            await gate.SettleAsync(http, handlerFailed: true);
            throw;
        }

        await gate.SettleAsync(http, handlerFailed: StatusOf(result, http) >= StatusCodes.Status500InternalServerError);
        return result;
    }

    /// <summary>The status the handler's result will send: its own status code, else the response's.</summary>
    private static int StatusOf(object? result, HttpContext http) =>
        result is IStatusCodeHttpResult { StatusCode: { } status } ? status : http.Response.StatusCode;
}
